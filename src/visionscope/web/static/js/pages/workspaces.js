// "/": the workspaces of the signed-in user, and a form for a new one. With one remembered,
// the user goes straight to its dashboard (unless they asked for the list with ?all=1).
import { api } from '../api.js';
import { lastWorkspace, startShell } from '../shell.js';
import { $, clear, date, h, number, pageReady, param, showProblem } from '../ui.js';

function price(tier) {
  return tier.monthly_price_cents ? `$${number(tier.monthly_price_cents / 100)} a month` : 'free';
}

async function main() {
  $('#workspace-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const created = await api('/v1/workspaces', {
        method: 'POST', json: { name: form.name.value, tier: form.tier.value || 'free' },
      });
      window.location.assign(`/w/${created.id}`);
    } catch (error) {
      showProblem($('#workspace-form-error'), error);
      button.disabled = false;
    }
  });
  const { workspaces } = await startShell({ page: 'workspaces' });
  const remembered = lastWorkspace();
  if (!param('all') && workspaces.length) {
    const target = workspaces.find((ws) => ws.id === remembered) || (workspaces.length === 1 && workspaces[0]);
    if (target) { window.location.replace(`/w/${target.id}`); return; }
  }
  const list = $('#workspace-list');
  list.removeAttribute('aria-busy');
  clear(list, workspaces.length ? workspaces.map((ws) => h('li', { class: 'card card-link' },
    h('a', { href: `/w/${ws.id}` }, h('span', { class: 'card-title' }, ws.name)),
    h('p', { class: 'muted' }, `${ws.tier} plan · you are ${ws.role} · since ${date(ws.created_at)}`),
  )) : h('li', { class: 'empty' }, 'No workspace yet: create the first one below.'));

  const tiers = (await api('/v1/tiers')).items;
  clear($('#workspace-tier'), tiers.map((tier) => h('option', { value: tier.key }, `${tier.name} (${price(tier)})`)));
}

main().catch((error) => showProblem($('#page-error'), error)).finally(pageReady);
