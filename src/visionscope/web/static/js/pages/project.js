// A project: its videos with their analysis followed live, the upload with its progress bar,
// cancel / re-analyse / delete, and the search box.
import { allItems, api, newIdempotencyKey, uploadForm } from '../api.js';
import { startShell } from '../shell.js';
import { $, bodyData, bytes, clear, date, duration, h, pageReady, roleAtLeast, showProblem } from '../ui.js';
import {
  TERMINAL, analysisMeter, cancelAnalysis, deleteVideo, followAnalysis, reanalyse, statusBadge,
} from '../videos.js';

const projectId = bodyData('projectId');
const page = { workspaceId: null, role: 'viewer', rows: new Map(), streams: new Map() };

function thumbnail(video) {
  if (video.status !== 'ready') return h('span', { class: 'thumb thumb-empty', 'aria-hidden': 'true' });
  const img = h('img', { src: `/v1/videos/${video.id}/thumbnails/0.jpg?v=${video.attempt}`, alt: '', loading: 'lazy' });
  img.addEventListener('error', () => img.remove());
  return h('span', { class: 'thumb' }, img);
}

function actions(video) {
  if (!roleAtLeast(page.role, 'editor')) return null;
  const run = (label, fn, confirmText) => h('button', {
    type: 'button',
    class: 'button-quiet',
    'aria-label': `${label}: ${video.name}`,
    onclick: async (event) => {
      if (confirmText && !window.confirm(confirmText)) return;
      event.currentTarget.disabled = true;
      try {
        const changed = await fn(video.id);
        if (changed) show(changed); else removeRow(video.id);
      } catch (error) {
        showProblem(rowError(video.id), error, { workspaceId: page.workspaceId });
        event.currentTarget.disabled = false;
      }
    },
  }, label);
  const buttons = [];
  if (!TERMINAL.includes(video.status)) buttons.push(run('Cancel analysis', cancelAnalysis));
  else buttons.push(run('Re-analyse', reanalyse));
  buttons.push(run('Delete', deleteVideo, `Delete “${video.name}” and everything found in it?`));
  return h('div', { class: 'row-actions' }, buttons);
}

function rowError(id) {
  return page.rows.get(id)?.querySelector('.row-error');
}

function row(video) {
  const meter = TERMINAL.includes(video.status) ? null : analysisMeter(`analysis-${video.id}`);
  if (meter) meter.update(video);
  const node = h('li', { class: 'video-row', dataset: { videoId: video.id, status: video.status } },
    h('a', { href: `/v/${video.id}`, tabindex: '-1', 'aria-hidden': 'true' }, thumbnail(video)),
    h('div', { class: 'video-info' },
      h('div', { class: 'video-line' },
        h('a', { class: 'video-name', href: `/v/${video.id}` }, video.name),
        statusBadge(video)),
      h('p', { class: 'muted' }, [duration(video.duration), bytes(video.size_bytes), `uploaded ${date(video.created_at, true)}`].filter(Boolean).join(' · ')),
      meter ? meter.node : null,
      video.status === 'failed' ? h('p', { class: 'failure' }, h('strong', {}, 'Analysis failed: '), video.error || 'no reason was given.') : null,
      video.status === 'cancelled' ? h('p', { class: 'muted' }, 'The analysis was cancelled.') : null,
      h('div', { class: 'row-error' })),
    actions(video));
  node.meter = meter;
  return node;
}

function show(video, { first = false } = {}) {
  const list = $('#video-list');
  list.querySelector('.empty')?.remove();
  const old = page.rows.get(video.id);
  const node = row(video);
  page.rows.set(video.id, node);
  if (old) old.replaceWith(node); else if (first) list.prepend(node); else list.append(node);
  if (!TERMINAL.includes(video.status)) follow(video);
}

function removeRow(id) {
  page.rows.get(id)?.remove();
  page.rows.delete(id);
  page.streams.get(id)?.();
  if (!page.rows.size) clear($('#video-list'), h('li', { class: 'empty' }, 'No videos yet.'));
}

function follow(video) {
  if (page.streams.has(video.id)) return;
  const stop = followAnalysis(video.id, async (state) => {
    const node = page.rows.get(video.id);
    if (TERMINAL.includes(state.status)) {
      page.streams.delete(video.id);
      try { show(await api(`/v1/videos/${video.id}`)); } catch (error) { showProblem(rowError(video.id), error); }
    } else if (node && node.meter) {
      node.meter.update(state);
      if (node.dataset.status !== state.status) node.querySelector('.badge').replaceWith(statusBadge(state));
      node.dataset.status = state.status;
    }
  }, (connected) => {
    const node = page.rows.get(video.id);
    if (node) node.classList.toggle('reconnecting', !connected);
  });
  page.streams.set(video.id, stop);
}

function setUpUpload() {
  const form = $('#upload-form');
  const input = $('#upload-file');
  const zone = $('#dropzone');
  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (event) => { event.preventDefault(); zone.classList.add('dragging'); });
  }
  for (const type of ['dragleave', 'drop']) zone.addEventListener(type, () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    if (event.dataTransfer.files.length) input.files = event.dataTransfer.files;
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) return;
    const body = new FormData();
    body.append('file', file);
    const subtitles = $('#upload-subtitles').files[0];
    if (subtitles) body.append('subtitles', subtitles);
    const controller = new AbortController();
    const bar = $('#upload-bar');
    const label = $('#upload-label');
    clear($('#upload-error'));
    $('#upload-progress').hidden = false;
    $('#upload-button').disabled = true;
    $('#upload-abort').hidden = false;
    $('#upload-abort').onclick = () => controller.abort();
    label.textContent = `Uploading ${file.name}…`;
    bar.value = 0;
    try {
      const video = await uploadForm(`/v1/projects/${projectId}/videos`, body, {
        signal: controller.signal,
        headers: { 'Idempotency-Key': newIdempotencyKey() },
        onProgress: (loaded, total) => {
          bar.value = loaded / total;
          $('#upload-percent').textContent = `${Math.floor((100 * loaded) / total)} %`;
          label.textContent = loaded < total
            ? `Uploading ${file.name} · ${bytes(loaded)} of ${bytes(total)}`
            : `Checking ${file.name}…`;
        },
      });
      label.textContent = `${file.name} is uploaded; its analysis has started.`;
      $('#upload-abort').hidden = true;
      form.reset();
      show(video, { first: true });
      window.setTimeout(() => { $('#upload-progress').hidden = true; }, 2500);
    } catch (error) {
      $('#upload-progress').hidden = true;
      if (error.status !== -1) showProblem($('#upload-error'), error, { workspaceId: page.workspaceId });
    } finally {
      $('#upload-button').disabled = false;
    }
  });
}

async function main() {
  const project = await api(`/v1/projects/${projectId}`);
  page.workspaceId = project.workspace_id;
  const { workspace, role } = await startShell({ workspaceId: project.workspace_id, page: 'projects' });
  page.role = role;
  document.title = `${project.name} · VisionScope`;
  $('#project-title').textContent = project.name;
  $('#crumb-project').textContent = project.name;
  const crumb = $('#crumb-projects');
  crumb.setAttribute('href', `/w/${project.workspace_id}/projects`);
  crumb.textContent = workspace ? `${workspace.name}: projects` : 'Projects';
  if (roleAtLeast(role, 'editor')) setUpUpload();
  const videos = await allItems(`/v1/projects/${projectId}/videos`);
  const list = $('#video-list');
  list.removeAttribute('aria-busy');
  if (!videos.length) clear(list, h('li', { class: 'empty' }, 'No videos yet.'));
  for (const video of videos) show(video);
}

main().catch((error) => showProblem($('#page-error'), error, { workspaceId: page.workspaceId })).finally(pageReady);
