// Calls to the JSON API with the session cookie: CSRF header on writes, the session refreshed
// before it expires and once more on a 401, problems turned into ApiError, lost connections shown.
import { connectionLost, connectionBack } from './connection.js';

const CSRF_COOKIE = 'vs_csrf';
const SESSION_COOKIE = 'vs_session';
const SAFE = new Set(['GET', 'HEAD']);

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function cookie(name) {
  const found = document.cookie.split('; ').find((part) => part.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : '';
}

// Over HTTPS the cookies are named with the __Host- prefix (no sibling site can set those).
const sessionCookie = (name) => cookie(`__Host-${name}`) || cookie(name);
export const csrfToken = () => sessionCookie(CSRF_COOKIE);
const sessionExpiry = () => Number(sessionCookie(SESSION_COOKIE) || 0);

let refreshing = null;

/** Trade the refresh cookie for new cookies, one refresh at a time across this browser's tabs. */
export function refreshSession() {
  if (!refreshing) {
    const seen = sessionExpiry();
    const run = async () => {
      if (sessionExpiry() !== seen) return true; // another tab refreshed while this one waited
      const response = await fetch('/session/refresh', {
        method: 'POST', headers: { 'X-CSRF-Token': csrfToken() }, credentials: 'same-origin',
      });
      return response.ok;
    };
    const locked = navigator.locks ? navigator.locks.request('visionscope-session', run) : run();
    refreshing = locked.catch(() => false).finally(() => { refreshing = null; });
  }
  return refreshing;
}

/** Refresh ahead of time, so that media, pictures and event streams never meet an expired cookie. */
export async function keepSessionFresh(marginSeconds = 90) {
  if (sessionExpiry() - Date.now() / 1000 < marginSeconds) await refreshSession();
}

export function goToSignIn() {
  const here = window.location.pathname + window.location.search;
  window.location.assign(`/signin?next=${encodeURIComponent(here)}`);
}

export function newIdempotencyKey() {
  if (window.crypto.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText || 'Error', status: response.status };
  }
}

const offline = () => new ApiError(0, {
  title: 'Connection lost',
  detail: 'VisionScope cannot be reached right now. Check your connection; this page retries by itself.',
});

/** fetch with the cookie and the CSRF header; retries once after refreshing on 401. */
export async function send(path, { method = 'GET', json, body, headers = {}, retried = false } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['Content-Type'] = 'application/json';
  } else if (body !== undefined) {
    init.body = body;
  }
  if (!SAFE.has(method)) init.headers['X-CSRF-Token'] = csrfToken();
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    connectionLost();
    throw offline();
  }
  connectionBack();
  if (response.status === 401 && !retried) {
    if (await refreshSession()) return send(path, { method, json, body, headers, retried: true });
    goToSignIn();
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response;
}

/** The JSON answer of a call (null for 204). */
export async function api(path, options = {}) {
  const response = await send(path, options);
  return response.status === 204 ? null : response.json();
}

/** Every item of a paged list. */
export async function allItems(path, limit = 200) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** POST a multipart form with upload progress (fetch cannot report it); resolves with the JSON answer. */
export function uploadForm(path, form, { onProgress, signal, headers = {} } = {}) {
  const attempt = (retried) => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', csrfToken());
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', async () => {
      connectionBack();
      let answer = {};
      try { answer = JSON.parse(xhr.responseText || '{}'); } catch { answer = { title: xhr.statusText }; }
      if (xhr.status === 401 && !retried && await refreshSession()) {
        resolve(attempt(true));
      } else if (xhr.status >= 200 && xhr.status < 300) {
        resolve(answer);
      } else {
        reject(new ApiError(xhr.status, answer));
      }
    });
    xhr.addEventListener('error', () => { connectionLost(); reject(offline()); });
    xhr.addEventListener('abort', () => reject(new ApiError(-1, { title: 'Upload cancelled', detail: 'The upload was cancelled.' })));
    if (signal) signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
  return keepSessionFresh().then(() => attempt(false));
}

/** POST JSON and read the server-sent events of the answer as they come: yields {event, data}. */
export async function* postEvents(path, json) {
  const response = await send(path, { method: 'POST', json, headers: { Accept: 'text/event-stream' } });
  if (!(response.headers.get('content-type') || '').startsWith('text/event-stream')) {
    yield { event: 'message', data: await response.json() };
    return;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      connectionLost();
      throw offline();
    }
    if (chunk.done) break;
    buffer += chunk.value.replace(/\r\n?/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event) yield event;
      end = buffer.indexOf('\n\n');
    }
  }
  const last = parseEvent(buffer);
  if (last) yield last;
}

function parseEvent(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (!data.length) return null;
  const text = data.join('\n');
  try {
    return { event, data: JSON.parse(text) };
  } catch {
    return { event, data: text };
  }
}
