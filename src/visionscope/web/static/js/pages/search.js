// Project search: moments across the project's videos, each opening the video at that moment.
import { allItems, api } from '../api.js';
import { sourceName } from '../citations.js';
import { startShell } from '../shell.js';
import { $, bodyData, clear, clock, h, pageReady, param, showProblem } from '../ui.js';

const projectId = bodyData('projectId');
const state = { workspaceId: null, names: new Map() };

function moments(answer) {
  if (Array.isArray(answer)) return answer;
  return answer.items || answer.moments || answer.results || [];
}

function result(moment) {
  const name = state.names.get(moment.video_id) || 'Video';
  const href = `/v/${moment.video_id}?t=${Number(moment.start).toFixed(2)}`;
  return h('li', { class: 'result' },
    h('a', { class: 'result-link', href },
      h('span', { class: 'result-time' }, `${clock(moment.start)}–${clock(moment.end)}`),
      h('span', { class: 'result-video' }, name)),
    moment.source ? h('span', { class: 'badge badge-source' }, sourceName(moment.source)) : null,
    moment.snippet ? h('p', { class: 'result-snippet' }, moment.snippet) : null);
}

async function search(query) {
  const summary = $('#results-summary');
  summary.textContent = `Searching for “${query}”…`;
  clear($('#page-error'));
  try {
    const answer = await api(`/v1/projects/${projectId}/search`, { method: 'POST', json: { query, limit: 20 } });
    const found = moments(answer);
    summary.textContent = found.length
      ? `${found.length} moment${found.length === 1 ? '' : 's'} for “${query}”.`
      : `Nothing found for “${query}”. Try other words.`;
    clear($('#results'), found.map(result));
  } catch (error) {
    summary.textContent = '';
    clear($('#results'));
    showProblem($('#page-error'), error, { workspaceId: state.workspaceId });
  }
}

async function main() {
  const project = await api(`/v1/projects/${projectId}`);
  state.workspaceId = project.workspace_id;
  await startShell({ workspaceId: project.workspace_id, page: 'projects' });
  document.title = `Search ${project.name} · VisionScope`;
  $('#search-title').textContent = `Search ${project.name}`;
  const crumb = $('#crumb-project');
  crumb.textContent = project.name;
  crumb.setAttribute('href', `/p/${projectId}`);
  const videos = await allItems(`/v1/projects/${projectId}/videos`);
  state.names = new Map(videos.map((v) => [v.id, v.name]));
  const input = $('#search-query');
  $('#search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const query = input.value.trim();
    if (!query) return;
    window.history.replaceState(null, '', `?q=${encodeURIComponent(query)}`);
    search(query);
  });
  const query = param('q');
  if (query) {
    input.value = query;
    search(query);
  } else {
    input.focus();
  }
}

main().catch((error) => showProblem($('#page-error'), error, { workspaceId: state.workspaceId })).finally(pageReady);
