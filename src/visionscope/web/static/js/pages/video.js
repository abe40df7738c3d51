// The video page: the player, the scene timeline, the panels that follow the playhead, the
// analysis while it runs (or why it failed), and the chat whose citations seek the player.
import { api, keepSessionFresh } from '../api.js';
import { chatPanel } from '../chat.js';
import { tabs, timedList } from '../follow.js';
import { startShell } from '../shell.js';
import { $, bodyData, bytes, clear, duration, h, pageReady, param, roleAtLeast, showProblem } from '../ui.js';
import { TERMINAL, analysisMeter, cancelAnalysis, followAnalysis, reanalyse, statusBadge } from '../videos.js';

const videoId = bodyData('videoId');
const player = $('#player');
const markers = [];
const state = { workspaceId: null, role: 'viewer', chat: null };

/** Move the player to `seconds` (once it knows the video's length) and play from there. */
function seek(seconds) {
  const go = () => {
    player.currentTime = seconds;
    player.play().catch(() => {});
  };
  if (player.readyState >= 1) go(); else player.addEventListener('loadedmetadata', go, { once: true });
}

function showMeta(video) {
  document.title = `${video.name} · VisionScope`;
  $('#video-title').textContent = video.name;
  $('#crumb-video').textContent = video.name;
  const parts = [duration(video.duration), video.width ? `${video.width}×${video.height}` : '', bytes(video.size_bytes),
    video.has_audio ? '' : 'no sound'];
  clear($('#video-meta'), parts.filter(Boolean).join(' · '), ' ', statusBadge(video));
}

async function loadResults() {
  const base = `/v1/videos/${videoId}`;
  const [scenes, transcript, text, chapters, summary] = await Promise.allSettled(
    ['scenes', 'transcript', 'text', 'chapters', 'summary'].map((part) => api(`${base}/${part}`)));
  markers.length = 0;
  const items = (result) => (result.status === 'fulfilled' ? result.value.items : []);
  markers.push(timedList($('#timeline'), items(scenes), {
    seek, horizontal: true, empty: 'No scenes.', scroller: $('#timeline'),
    label: (scene) => h('img', { src: scene.keyframe_url, alt: `Scene ${scene.index + 1}${scene.text.length ? `: ${scene.text.join(', ')}` : ''}`, loading: 'lazy' }),
  }));
  markers.push(timedList($('#transcript'), items(transcript), {
    seek, empty: 'Nothing is said in this video.', scroller: $('#panel-transcript'),
    label: (segment) => h('span', { class: 'cue-text' }, segment.text),
  }));
  markers.push(timedList($('#screen-text'), items(text), {
    seek, empty: 'No text was found on screen.', scroller: $('#panel-text'),
    label: (span) => h('span', { class: 'cue-text' }, span.text),
  }));
  markers.push(timedList($('#chapters'), items(chapters), {
    seek, empty: 'No chapters.', scroller: $('#panel-chapters'),
    label: (chapter) => h('span', { class: 'cue-text' }, chapter.title),
  }));
  if (summary.status === 'fulfilled') clear($('#summary'), h('p', {}, summary.value.text));
  follow(player.currentTime);
}

function follow(time) {
  for (const mark of markers) mark(time);
}

function analysisControls(video) {
  if (!roleAtLeast(state.role, 'editor')) return null;
  const action = async (event, fn) => {
    event.currentTarget.disabled = true;
    try {
      showStatus(await fn(videoId));
    } catch (error) {
      showProblem($('#page-error'), error, { workspaceId: state.workspaceId });
    }
  };
  if (!TERMINAL.includes(video.status)) {
    return h('button', { type: 'button', class: 'button', onclick: (e) => action(e, cancelAnalysis) }, 'Cancel analysis');
  }
  return h('button', { type: 'button', class: 'button', onclick: (e) => action(e, reanalyse) }, 'Re-analyse');
}

/** The analysis card: progress while it runs, the reason when it failed; hidden once ready. */
function showStatus(video) {
  const card = $('#analysis');
  const body = $('#analysis-body');
  showMeta(video);
  if (video.status === 'ready') {
    card.hidden = true;
    state.chat.enable();
    loadResults();
    return;
  }
  card.hidden = false;
  state.chat.disable('Questions can be asked once the analysis is done.');
  if (video.status === 'failed') {
    card.classList.add('analysis-failed');
    clear(body, h('p', { class: 'failure', role: 'alert' }, h('strong', {}, 'The analysis failed. '), video.error || 'No reason was given.'),
      analysisControls(video));
    return;
  }
  card.classList.remove('analysis-failed');
  if (video.status === 'cancelled') {
    clear(body, h('p', {}, 'The analysis was cancelled.'), analysisControls(video));
    return;
  }
  const meter = analysisMeter('analysis');
  meter.update(video);
  clear(body, meter.node, analysisControls(video));
  followAnalysis(videoId, async (update) => {
    if (TERMINAL.includes(update.status)) showStatus(await api(`/v1/videos/${videoId}`));
    else meter.update(update);
  }, (connected) => card.classList.toggle('reconnecting', !connected));
}

async function main() {
  const video = await api(`/v1/videos/${videoId}`);
  state.workspaceId = video.workspace_id;
  const [{ role }, project] = await Promise.all([
    startShell({ workspaceId: video.workspace_id, page: 'projects' }),
    api(`/v1/projects/${video.project_id}`),
  ]);
  state.role = role;
  const crumb = $('#crumb-project');
  crumb.textContent = project.name;
  crumb.setAttribute('href', `/p/${project.id}`);
  state.chat = chatPanel({ target: { video_id: videoId }, videoId, onSeek: seek, workspaceId: video.workspace_id });
  await keepSessionFresh();
  player.src = `/v1/videos/${videoId}/media`;
  player.addEventListener('timeupdate', () => follow(player.currentTime));
  player.addEventListener('seeked', () => follow(player.currentTime));
  player.addEventListener('error', () => showProblem($('#page-error'), {
    status: 0, problem: { title: 'The video cannot be played', detail: 'This browser cannot play this file, or the connection was lost.' },
  }));
  const start = Number(param('t'));
  if (start > 0) {
    player.addEventListener('loadedmetadata', () => { player.currentTime = start; }, { once: true });
  }
  tabs($('[role="tablist"]'));
  showStatus(video);
}

main().catch((error) => showProblem($('#page-error'), error, { workspaceId: state.workspaceId })).finally(pageReady);
