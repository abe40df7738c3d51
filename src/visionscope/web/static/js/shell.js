// What every signed-in page shares: who is signed in, the workspace switcher, the navigation,
// the unread notices badge, role-gated controls and a session kept fresh.
import { api, keepSessionFresh } from './api.js';
import { $, $$, applyRole, clear, h } from './ui.js';

const LAST_WORKSPACE = 'visionscope.workspace';

export function rememberWorkspace(id) {
  try { window.localStorage.setItem(LAST_WORKSPACE, id); } catch { /* private mode */ }
}

export function lastWorkspace() {
  try { return window.localStorage.getItem(LAST_WORKSPACE); } catch { return null; }
}

function fillSwitcher(workspaces, current, page) {
  const select = $('#workspace-switcher');
  if (!select) return;
  const options = workspaces.map((ws) => h('option', { value: ws.id, selected: ws.id === current }, ws.name));
  if (!current) options.unshift(h('option', { value: '', selected: true }, 'Choose a workspace'));
  options.push(h('option', { value: 'all' }, 'All workspaces…'));
  clear(select, options);
  select.disabled = false;
  select.addEventListener('change', () => {
    if (select.value === 'all') { window.location.assign('/?all=1'); return; }
    if (!select.value) return;
    const sub = ['projects', 'settings'].includes(page) ? `/${page}` : '';
    window.location.assign(`/w/${select.value}${sub}`);
  });
}

function fillNav(workspaceId, page) {
  const nav = $('.mainnav');
  if (!nav) return;
  nav.hidden = !workspaceId;
  const paths = { dashboard: '', projects: '/projects', settings: '/settings', notices: '#notices' };
  for (const link of $$('[data-nav]')) {
    const key = link.dataset.nav;
    if (workspaceId) link.setAttribute('href', `/w/${workspaceId}${paths[key]}`);
    if (key === page) link.setAttribute('aria-current', 'page');
  }
}

async function showUnread() {
  const badge = $('#notice-count');
  if (!badge) return;
  try {
    const unread = await api('/v1/notifications?unread=true&limit=100');
    const count = unread.items.length;
    badge.hidden = count === 0;
    badge.textContent = count > 99 ? '99+' : String(count);
    badge.closest('a').setAttribute('aria-label', count ? `Notices, ${count} unread` : 'Notices');
  } catch {
    badge.hidden = true;
  }
}

/**
 * Start a page. Resolves with {me, workspaces, workspace, role}; `workspace` is null when the
 * page belongs to none.
 */
export async function startShell({ workspaceId = null, page } = {}) {
  await keepSessionFresh();
  window.setInterval(() => { keepSessionFresh(); }, 30000);
  const [me, list] = await Promise.all([api('/v1/me'), api('/v1/workspaces')]);
  const name = $('#me-name');
  if (name) name.textContent = me.name;
  const workspaces = list.items;
  const workspace = workspaceId ? workspaces.find((ws) => ws.id === workspaceId) || null : null;
  if (workspace) rememberWorkspace(workspace.id);
  fillSwitcher(workspaces, workspace && workspace.id, page);
  fillNav(workspace && workspace.id, page);
  const role = workspace ? workspace.role : 'viewer';
  applyRole(role);
  showUnread();
  return { me, workspaces, workspace, role };
}
