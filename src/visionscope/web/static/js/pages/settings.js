// Workspace settings: collaborators and roles, API keys (shown once), then the billing sections.
import { api } from '../api.js';
import { setUpBilling } from '../billing.js';
import { startShell } from '../shell.js';
import {
  $, announce, bodyData, clear, date, h, humanize, pageReady, roleAtLeast, showProblem,
} from '../ui.js';

const workspaceId = bodyData('workspaceId');
const base = `/v1/workspaces/${workspaceId}`;
const ROLES = ['viewer', 'editor', 'admin'];

function roleCell(person, canManage) {
  if (!canManage || person.role === 'owner') return h('td', {}, humanize(person.role));
  const select = h('select', { 'aria-label': `Role of ${person.name}` },
    ROLES.map((role) => h('option', { value: role, selected: role === person.role }, humanize(role))));
  select.addEventListener('change', async () => {
    try {
      await api(`${base}/collaborators/${person.user_id}`, { method: 'PATCH', json: { role: select.value } });
      announce(`${person.name} is now ${select.value}.`);
    } catch (error) {
      showProblem($('#collaborator-error'), error, { workspaceId });
      select.value = person.role;
    }
  });
  return h('td', {}, select);
}

async function showCollaborators(me, role) {
  const people = (await api(`${base}/collaborators`)).items;
  const canManage = roleAtLeast(role, 'admin');
  clear($('#collaborator-rows'), people.map((person) => {
    const self = person.user_id === me.id;
    const removable = person.role !== 'owner' && (canManage || self);
    const remove = removable ? h('button', {
      type: 'button',
      class: 'button-quiet',
      onclick: async () => {
        const question = self ? 'Leave this workspace?' : `Remove ${person.name} from this workspace?`;
        if (!window.confirm(question)) return;
        try {
          await api(`${base}/collaborators/${person.user_id}`, { method: 'DELETE' });
          if (self) window.location.assign('/?all=1'); else showCollaborators(me, role);
        } catch (error) {
          showProblem($('#collaborator-error'), error, { workspaceId });
        }
      },
    }, self ? 'Leave' : 'Remove') : null;
    return h('tr', {},
      h('td', {}, person.name, self ? h('span', { class: 'muted' }, ' (you)') : null),
      h('td', {}, person.email),
      roleCell(person, canManage && !self),
      h('td', { class: 'actions' }, remove));
  }));
}

function showNewKey(created) {
  const box = $('#new-key');
  const field = h('input', { id: 'new-key-value', type: 'text', readonly: true, value: created.key, class: 'secret' });
  const copy = h('button', {
    type: 'button',
    class: 'button',
    onclick: async () => {
      field.select();
      try { await navigator.clipboard.writeText(created.key); announce('The key is copied.'); } catch { document.execCommand('copy'); }
    },
  }, 'Copy');
  clear(box, h('div', { class: 'alert alert-success', role: 'status' },
    h('p', { class: 'alert-title' }, `Key “${created.name}” created`),
    h('p', {}, 'Copy it now: it is shown this once and cannot be seen again.'),
    h('div', { class: 'secret-row' }, h('label', { for: 'new-key-value', class: 'visually-hidden' }, 'The new API key'), field, copy)));
  box.hidden = false;
  field.focus();
  field.select();
}

async function showApiKeys() {
  const keys = (await api(`${base}/api-keys`)).items.filter((key) => !key.revoked_at);
  clear($('#api-key-list'), keys.length ? keys.map((key) => h('li', {},
    h('span', { class: 'key-name' }, key.name), ' ',
    h('code', {}, `${key.prefix}…`), ' ',
    h('span', { class: 'muted' }, `${key.role} · created ${date(key.created_at)} · ${key.last_used_at ? `last used ${date(key.last_used_at, true)}` : 'never used'}`), ' ',
    h('button', {
      type: 'button',
      class: 'button-quiet',
      'aria-label': `Revoke key ${key.name}`,
      onclick: async () => {
        if (!window.confirm(`Revoke the key “${key.name}”? Programs using it stop working.`)) return;
        try { await api(`${base}/api-keys/${key.id}`, { method: 'DELETE' }); showApiKeys(); } catch (error) { showProblem($('#api-key-error'), error); }
      },
    }, 'Revoke'))) : h('li', { class: 'empty' }, 'No keys yet.'));
}

function setUpForms(me, role) {
  $('#collaborator-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    clear($('#collaborator-error'));
    try {
      await api(`${base}/collaborators`, { method: 'POST', json: { email: form.email.value, role: form.role.value } });
      form.reset();
      announce('Collaborator added.');
      showCollaborators(me, role);
    } catch (error) {
      showProblem($('#collaborator-error'), error, { workspaceId });
    }
  });
  $('#api-key-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    clear($('#api-key-error'));
    try {
      const created = await api(`${base}/api-keys`, { method: 'POST', json: { name: form.name.value, role: form.role.value } });
      form.reset();
      showNewKey(created);
      showApiKeys();
    } catch (error) {
      showProblem($('#api-key-error'), error, { workspaceId });
    }
  });
}

async function main() {
  const { me, workspace, role } = await startShell({ workspaceId, page: 'settings' });
  if (!workspace) {
    showProblem($('#page-error'), { status: 404, problem: { detail: 'This workspace does not exist, or you are not in it.' } });
    return;
  }
  document.title = `Settings of ${workspace.name} · VisionScope`;
  $('#settings-title').textContent = `Settings of ${workspace.name}`;
  $('#settings-role').textContent = `You are ${role} here.${roleAtLeast(role, 'admin') ? '' : ' Admins and the owner can change these settings.'}`;
  setUpForms(me, role);
  const parts = [showCollaborators(me, role), setUpBilling(workspace, role)];
  if (roleAtLeast(role, 'admin')) parts.push(showApiKeys());
  const failed = (await Promise.allSettled(parts)).find((r) => r.status === 'rejected');
  if (failed) showProblem($('#page-error'), failed.reason, { workspaceId });
  if (window.location.hash) document.querySelector(window.location.hash)?.focus();
}

main().catch((error) => showProblem($('#page-error'), error, { workspaceId })).finally(pageReady);
