// Videos and their analysis: status badges, progress in words, live updates from the server's
// event stream, and the cancel / re-analyse / delete actions.
import { api, keepSessionFresh } from './api.js';
import { h } from './ui.js';

export const TERMINAL = ['ready', 'failed', 'cancelled'];
const STAGES = ['probe', 'scan', 'text', 'speech', 'index', 'chapters'];
const STAGE_NAMES = {
  probe: 'Reading the file',
  scan: 'Finding scenes and keyframes',
  text: 'Reading on-screen text',
  speech: 'Transcribing speech',
  index: 'Indexing for questions',
  chapters: 'Writing chapters',
  done: 'Finishing',
};
const STATUS_NAMES = {
  queued: 'Queued', processing: 'Analysing', ready: 'Ready', failed: 'Failed', cancelled: 'Cancelled',
};

export function statusBadge(video) {
  return h('span', { class: `badge status-${video.status}` }, STATUS_NAMES[video.status] || video.status);
}

/** The whole analysis done so far, 0..1, from the stage and that stage's own fraction. */
export function overallProgress(state) {
  if (state.status === 'ready') return 1;
  const index = STAGES.indexOf(state.stage);
  if (index < 0) return state.stage === 'done' ? 1 : 0;
  return (index + Math.min(1, state.progress || 0)) / STAGES.length;
}

export function timeLeft(seconds) {
  if (seconds === null || seconds === undefined) return '';
  if (seconds < 10) return 'a few seconds left';
  if (seconds < 60) return `about ${Math.round(seconds / 5) * 5} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

/** "Step 2 of 6 · Finding scenes and keyframes · about 1 min left" */
export function progressWords(state) {
  if (state.status === 'queued') return 'Waiting for a worker…';
  const index = STAGES.indexOf(state.stage);
  const step = index >= 0 ? `Step ${index + 1} of ${STAGES.length} · ` : '';
  const name = STAGE_NAMES[state.stage] || 'Starting';
  const left = timeLeft(state.eta_seconds);
  return `${step}${name}${left ? ` · ${left}` : ''}`;
}

/** A labelled progress bar for an analysis; update() it with each event. */
export function analysisMeter(id) {
  const label = h('span', { id: `${id}-label`, class: 'progress-label' });
  const bar = h('progress', { max: '1', value: '0', 'aria-labelledby': `${id}-label` });
  const percent = h('span', { class: 'progress-percent', 'aria-hidden': 'true' });
  const node = h('div', { class: 'analysis-meter' }, h('div', { class: 'progress-line' }, label, percent), bar);
  const update = (state) => {
    const done = overallProgress(state);
    bar.value = done;
    percent.textContent = `${Math.round(done * 100)} %`;
    label.textContent = progressWords(state);
  };
  return { node, update };
}

/**
 * Follow a video's analysis through server-sent events until it ends. Calls onUpdate(state)
 * for each event and onConnection(true|false) as the stream connects or drops; returns stop().
 */
export function followAnalysis(videoId, onUpdate, onConnection = () => {}) {
  let source = null;
  let stopped = false;
  let failures = 0;
  const stop = () => { stopped = true; if (source) source.close(); };
  const open = async () => {
    if (stopped) return;
    await keepSessionFresh();
    source = new EventSource(`/v1/videos/${videoId}/events`);
    const handle = (event) => {
      failures = 0;
      const state = JSON.parse(event.data);
      onUpdate(state);
      if (TERMINAL.includes(state.status) || state.status === 'deleted') stop();
    };
    for (const type of ['progress', ...TERMINAL]) source.addEventListener(type, handle);
    source.addEventListener('open', () => onConnection(true));
    source.addEventListener('error', () => {
      if (stopped) return;
      onConnection(false);
      if (source.readyState === EventSource.CLOSED) {
        failures += 1;
        window.setTimeout(open, Math.min(30000, 1000 * 2 ** failures));
      }
    });
  };
  open();
  return stop;
}

export const cancelAnalysis = (id) => api(`/v1/videos/${id}/cancel`, { method: 'POST' });
export const reanalyse = (id) => api(`/v1/videos/${id}/reanalyze`, { method: 'POST' });
export const deleteVideo = (id) => api(`/v1/videos/${id}`, { method: 'DELETE' });
