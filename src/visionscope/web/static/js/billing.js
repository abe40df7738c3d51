// The billing sections of the settings: the plan and its pending downgrade, top-ups, a pool's
// credit statement and the usage report with its CSV download.
import { api, newIdempotencyKey } from './api.js';
import { $, clear, date, featureNames, h, humanize, number, roleAtLeast, showProblem } from './ui.js';

const KIND_NAMES = {
  grant: 'Plan grant', purchase: 'Top-up', reservation: 'Reserved', charge: 'Used', capture: 'Used (reserved)',
  release: 'Released', expiry: 'Expired',
};

function price(tier) {
  return tier.monthly_price_cents ? `$${number(tier.monthly_price_cents / 100)}/month` : 'free';
}

function showPlan(workspace, tiers, role) {
  const current = tiers.find((tier) => tier.key === workspace.tier);
  $('#plan-current').textContent = `This workspace is on the ${current ? current.name : humanize(workspace.tier)} plan (${current ? price(current) : ''}), period ${date(workspace.period_start)} – ${date(workspace.period_end)}.`;
  const pending = workspace.pending_tier_change;
  const box = $('#plan-pending');
  if (!pending) {
    clear(box);
  } else {
    const target = tiers.find((tier) => tier.key === pending.tier);
    clear(box, h('div', { class: 'alert alert-warning' },
      h('p', {}, `Moving to ${target ? target.name : pending.tier} on ${date(pending.effective_at)}.`),
      roleAtLeast(role, 'admin') ? h('button', {
        type: 'button',
        class: 'button',
        onclick: async () => {
          try {
            showPlan(await api(`/v1/workspaces/${workspace.id}/tier/pending`, { method: 'DELETE' }), tiers, role);
          } catch (error) {
            showProblem($('#plan-error'), error, { workspaceId: workspace.id });
          }
        },
      }, 'Keep the current plan') : null));
  }
  clear($('#plan-tier'), tiers.filter((tier) => tier.key !== workspace.tier)
    .map((tier) => h('option', { value: tier.key }, `${tier.name} (${price(tier)})`)));
}

function setUpPlan(workspace, tiers, role) {
  showPlan(workspace, tiers, role);
  $('#plan-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    clear($('#plan-error'));
    const tier = event.currentTarget.tier.value;
    try {
      const changed = await api(`/v1/workspaces/${workspace.id}/tier`, { method: 'POST', json: { tier } });
      showPlan(changed, tiers, role);
    } catch (error) {
      showProblem($('#plan-error'), error, { workspaceId: workspace.id });
    }
  });
}

function setUpTopUps(workspace, pools, nameOf) {
  clear($('#top-up-feature'), pools.map((pool) => h('option', { value: pool.feature }, nameOf(pool.feature))));
  let key = newIdempotencyKey(); // one purchase per intent: a retried submit buys once
  $('#top-up-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const result = $('#top-up-result');
    try {
      const bought = await api(`/v1/workspaces/${workspace.id}/credits/top-ups`, {
        method: 'POST',
        json: { feature: form.feature.value, credits: Number(form.credits.value) },
        headers: { 'Idempotency-Key': key },
      });
      key = newIdempotencyKey();
      clear(result, h('div', { class: 'alert alert-success' },
        h('p', {}, `Bought ${number(bought.credits)} credits of ${nameOf(bought.feature)}; ${number(bought.available_after)} available now.`)));
      if ($('#statement-feature').value === bought.feature) showStatement(workspace.id, bought.feature);
    } catch (error) {
      showProblem(result, error, { workspaceId: workspace.id });
    }
  });
}

async function showStatement(workspaceId, feature, cursor = null) {
  const path = `/v1/workspaces/${workspaceId}/credits/${encodeURIComponent(feature)}/statement?limit=100${cursor ? `&cursor=${cursor}` : ''}`;
  const rows = $('#statement-rows');
  try {
    const statement = await api(path);
    const lines = statement.items.map((line) => h('tr', {},
      h('td', {}, date(line.at, true)),
      h('td', {}, KIND_NAMES[line.kind] || humanize(line.kind)),
      h('td', { class: `num ${line.change < 0 ? 'negative' : line.change > 0 ? 'positive' : ''}` }, `${line.change > 0 ? '+' : ''}${number(line.change)}`),
      h('td', { class: 'num' }, number(line.balance)),
      h('td', {}, line.note)));
    if (cursor) rows.append(...lines); else clear(rows, lines.length ? lines : h('tr', {}, h('td', { colspan: '5', class: 'empty' }, 'Nothing yet.')));
    const more = $('#statement-more');
    more.hidden = !statement.next_cursor;
    more.onclick = () => showStatement(workspaceId, feature, statement.next_cursor);
  } catch (error) {
    showProblem($('#statement-error'), error, { workspaceId });
  }
}

function usageQuery(form) {
  const query = new URLSearchParams({ group_by: form.group_by.value });
  if (form.from.value) query.set('from', `${form.from.value}T00:00:00Z`);
  if (form.to.value) query.set('to', `${form.to.value}T00:00:00Z`);
  return query;
}

async function showUsage(workspaceId) {
  const form = $('#usage-form');
  const query = usageQuery(form);
  const path = `/v1/workspaces/${workspaceId}/usage`;
  $('#usage-csv').setAttribute('href', `${path}?${query}&format=csv`);
  clear($('#usage-error'));
  try {
    const report = await api(`${path}?${query}`);
    $('#usage-period').textContent = `From ${date(report.start, true)} to ${date(report.end, true)}, by ${report.group_by}.`;
    clear($('#usage-rows'), report.rows.length ? report.rows.map((row) => h('tr', {},
      h('td', {}, row.label || row.key),
      h('td', { class: 'num' }, number(row.operations)),
      h('td', { class: 'num' }, number(row.quantity)),
      h('td', { class: 'num' }, number(row.credits)))) : h('tr', {}, h('td', { colspan: '4', class: 'empty' }, 'No usage in this period.')));
  } catch (error) {
    showProblem($('#usage-error'), error, { workspaceId });
  }
}

/** Fill the billing sections the user's role may see. */
export async function setUpBilling(workspace, role) {
  const [tiers, credits, nameOf] = await Promise.all([
    api('/v1/tiers'), api(`/v1/workspaces/${workspace.id}/credits`), featureNames(api),
  ]);
  setUpPlan(workspace, tiers.items, role);
  const pools = credits.items;
  clear($('#statement-feature'), pools.map((pool) => h('option', { value: pool.feature }, nameOf(pool.feature))));
  $('#statement-feature').addEventListener('change', (event) => showStatement(workspace.id, event.currentTarget.value));
  if (pools.length) await showStatement(workspace.id, pools[0].feature);
  if (roleAtLeast(role, 'admin')) {
    setUpTopUps(workspace, pools, nameOf);
    $('#usage-form').addEventListener('submit', (event) => { event.preventDefault(); showUsage(workspace.id); });
    for (const field of ['#usage-group', '#usage-from', '#usage-to']) {
      $(field).addEventListener('change', () => showUsage(workspace.id));
    }
    await showUsage(workspace.id);
  }
}
