// The chat panel: questions to a video (or a project), answers streamed in as they are written,
// then shown with their citations as links to the moments.
import { ApiError, api, postEvents } from './api.js';
import { answerNodes, citationList } from './citations.js';
import { $, clear, h, showProblem } from './ui.js';

const SUGGESTIONS = ['What is this video about?', 'What text appears on screen?', 'What is said at the start?'];

function isFinalMessage(event) {
  const data = event.data;
  return typeof data === 'object' && data !== null
    && (data.role === 'assistant' || Array.isArray(data.citations) || ['message', 'done', 'final'].includes(event.event) && 'content' in data);
}

function tokenText(data) {
  if (typeof data === 'string') return data;
  if (!data || typeof data !== 'object') return '';
  for (const key of ['token', 'delta', 'text', 'content']) if (typeof data[key] === 'string') return data[key];
  return '';
}

/** Wire the chat form to a conversation about `target` ({video_id} or {project_id}). */
export function chatPanel({ target, videoId = null, onSeek, workspaceId }) {
  const log = $('#chat-log');
  const form = $('#chat-form');
  const input = $('#chat-input');
  const errorBox = $('#chat-error');
  let conversationId = null;

  const render = (bubble, message) => {
    const citations = message.citations || [];
    const text = h('div', { class: 'answer-text' }, answerNodes(message.content || '', citations, { videoId, onSeek }));
    clear(bubble, text);
    if (message.grounded === false) {
      bubble.classList.add('ungrounded');
      bubble.prepend(h('p', { class: 'answer-note' }, 'Nothing in the video supports an answer.'));
    }
    const list = citationList(citations, { videoId, onSeek });
    if (list) bubble.append(list);
  };

  const ask = async (content) => {
    log.querySelector('.chat-suggestions')?.remove();
    log.append(h('li', { class: 'chat-message from-user' }, h('span', { class: 'visually-hidden' }, 'You: '), content));
    const bubble = h('li', { class: 'chat-message from-assistant streaming', 'aria-busy': 'true' },
      h('span', { class: 'typing' }, 'Looking through the video…'));
    log.append(bubble);
    bubble.scrollIntoView({ block: 'nearest' });
    if (!conversationId) conversationId = (await api('/v1/conversations', { method: 'POST', json: target })).id;
    let streamed = '';
    let final = null;
    for await (const event of postEvents(`/v1/conversations/${conversationId}/messages?stream=true`, { content })) {
      if (event.event === 'error') throw new ApiError(event.data.status || 500, event.data);
      if (isFinalMessage(event)) { final = event.data; break; }
      // the check withdrew what was streamed: the next pieces replace it
      if (event.event === 'reset') { streamed = ''; clear(bubble, h('span', { class: 'typing' }, 'Checking the answer…')); continue; }
      streamed += tokenText(event.data);
      clear(bubble, h('div', { class: 'answer-text' }, streamed));
      bubble.scrollIntoView({ block: 'nearest' });
    }
    render(bubble, final || { content: streamed, citations: [] });
    bubble.classList.remove('streaming');
    bubble.setAttribute('aria-busy', 'false');
    return bubble;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const content = input.value.trim();
    if (!content) return;
    clear(errorBox);
    form.querySelector('button').disabled = true;
    input.value = '';
    try {
      await ask(content);
    } catch (error) {
      log.querySelector('.streaming')?.remove();
      Array.from(log.querySelectorAll('.from-user')).pop()?.remove();
      if (error.status === 404 && !conversationId) {
        error.problem = { ...error.problem, detail: 'Conversations are not available on this server yet.' };
      }
      showProblem(errorBox, error, { workspaceId });
      input.value = content;
    } finally {
      form.querySelector('button').disabled = false;
      input.focus();
    }
  });
  log.append(h('li', { class: 'chat-suggestions' },
    h('p', { class: 'hint' }, 'Try asking:'),
    h('ul', {}, SUGGESTIONS.map((question) => h('li', {}, h('button', {
      type: 'button',
      class: 'suggestion',
      onclick: () => { input.value = question; form.requestSubmit(); },
    }, question))))));
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  return {
    disable(reason) {
      input.disabled = true;
      form.querySelector('button').disabled = true;
      input.placeholder = reason;
    },
    enable() {
      input.disabled = false;
      form.querySelector('button').disabled = false;
      input.placeholder = 'When is the Denver warehouse mentioned?';
    },
  };
}
