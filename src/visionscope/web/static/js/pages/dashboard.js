// The workspace dashboard: credit pools by group, credits used per day, recent videos, notices.
import { api } from '../api.js';
import { poolBar, usageChart } from '../charts.js';
import { startShell } from '../shell.js';
import {
  $, bodyData, clear, date, duration, featureNames, h, humanize, pageReady, roleAtLeast, showProblem,
} from '../ui.js';
import { statusBadge } from '../videos.js';

const workspaceId = bodyData('workspaceId');

async function showCredits(workspace) {
  const [credits, nameOf] = await Promise.all([api(`/v1/workspaces/${workspaceId}/credits`), featureNames(api)]);
  const box = $('#credit-groups');
  box.removeAttribute('aria-busy');
  $('#credits-period').textContent = `${date(workspace.period_start)} – ${date(workspace.period_end)}`;
  const groups = credits.groups.map((group) => h('section', { class: 'credit-group' },
    h('h3', {}, humanize(group.group)),
    credits.items.filter((pool) => pool.group === group.group).map((pool) => poolBar(pool, nameOf(pool.feature)))));
  clear(box, groups.length ? groups : h('p', { class: 'muted' }, 'This plan has no credit pools.'));
}

async function showUsage(role) {
  if (!roleAtLeast(role, 'admin')) {
    clear($('#usage-chart'), h('p', { class: 'muted' }, 'The usage report is for the owner and admins of this workspace.'));
    return;
  }
  const report = await api(`/v1/workspaces/${workspaceId}/usage?group_by=day`);
  const box = $('#usage-chart');
  clear(box, usageChart(report, Math.max(280, Math.min(box.clientWidth || 640, 900))));
}

async function showRecentVideos() {
  const projects = (await api(`/v1/workspaces/${workspaceId}/projects?limit=20`)).items;
  const pages = await Promise.all(projects.map((p) => api(`/v1/projects/${p.id}/videos?limit=5`)));
  const names = new Map(projects.map((p) => [p.id, p.name]));
  const videos = pages.flatMap((page) => page.items)
    .sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, 6);
  const list = $('#recent-videos');
  if (!videos.length) {
    clear(list, h('li', { class: 'empty' }, projects.length
      ? 'No videos yet. Open a project to upload one.'
      : 'No projects yet. ', projects.length ? null : h('a', { href: `/w/${workspaceId}/projects` }, 'Create a project')));
    return;
  }
  clear(list, videos.map((video) => h('li', {},
    h('a', { href: `/v/${video.id}` }, video.name),
    h('span', { class: 'muted' }, ` ${names.get(video.project_id) || ''} · ${duration(video.duration)} · ${date(video.created_at)} `),
    statusBadge(video))));
}

async function markRead(notice, item) {
  await api(`/v1/notifications/${notice.id}/read`, { method: 'POST' });
  item.classList.remove('unread');
  item.querySelector('button')?.remove();
}

async function showNotices() {
  const notices = (await api('/v1/notifications?limit=10')).items
    .filter((notice) => !notice.workspace_id || notice.workspace_id === workspaceId);
  const list = $('#notice-list');
  clear(list, notices.length ? notices.map((notice) => {
    const item = h('li', { class: notice.read_at ? '' : 'unread' },
      h('p', { class: 'notice-title' }, notice.title),
      notice.body ? h('p', {}, notice.body) : null,
      h('p', { class: 'muted' }, date(notice.created_at, true)));
    if (!notice.read_at) {
      item.append(h('button', { type: 'button', class: 'button-quiet', onclick: () => markRead(notice, item) }, 'Mark as read'));
    }
    return item;
  }) : h('li', { class: 'empty' }, 'No notices.'));
}

async function main() {
  const { workspace, role } = await startShell({ workspaceId, page: 'dashboard' });
  if (!workspace) {
    showProblem($('#page-error'), { status: 404, problem: { detail: 'This workspace does not exist, or you are not in it.' } });
    return;
  }
  $('#workspace-title').textContent = workspace.name;
  const pending = workspace.pending_tier_change;
  $('#workspace-plan').textContent = `${humanize(workspace.tier)} plan · you are ${workspace.role}`
    + (pending ? ` · moving to ${humanize(pending.tier)} on ${date(pending.effective_at)}` : '');
  $('#projects-link').setAttribute('href', `/w/${workspaceId}/projects`);
  document.title = `${workspace.name} · VisionScope`;
  const parts = [showCredits(workspace), showUsage(role), showRecentVideos(), showNotices()];
  const results = await Promise.allSettled(parts);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) showProblem($('#page-error'), failed.reason, { workspaceId });
  if (window.location.hash === '#notices') $('#notices').focus();
}

main().catch((error) => showProblem($('#page-error'), error, { workspaceId })).finally(pageReady);
