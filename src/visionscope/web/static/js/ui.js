// Small DOM helpers: elements built with textContent only (never innerHTML), formats, error boxes.

// Forms marked data-js are sent by scripts: never natively, even before their handler is attached.
document.addEventListener('submit', (event) => {
  if (event.target.matches('form[data-js]')) event.preventDefault();
}, true);

/** Tell tests and assistive tools that the page has loaded what it shows. */
export function pageReady() {
  document.body.dataset.ready = 'true';
  document.getElementById('main')?.removeAttribute('aria-busy');
}

/** h('a', {href: '/x', class: 'y', onclick: fn}, 'text', child) */
export function h(tag, props = {}, ...children) {
  const svg = ['svg', 'rect', 'line', 'text', 'g', 'title', 'path'].includes(tag) && props.svg !== false;
  const node = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false || key === 'svg') continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.setAttribute('class', value);
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key in node && !svg && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

export function clear(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}

/** 83.4 -> "01:23"; 3723 -> "1:02:03" */
export function clock(seconds) {
  const total = Math.max(0, Math.floor(seconds || 0));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, '0');
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${String(minutes).padStart(2, '0')}:${secs}`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function bytes(count) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${value.toFixed(unit && value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const number = (value) => new Intl.NumberFormat().format(value);

export function date(iso, withTime = false) {
  if (!iso) return '';
  const options = withTime
    ? { dateStyle: 'medium', timeStyle: 'short' }
    : { dateStyle: 'medium' };
  return new Intl.DateTimeFormat(undefined, options).format(new Date(iso));
}

export function humanize(key) {
  const text = String(key || '').replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const ROLES = ['viewer', 'editor', 'admin', 'owner'];
export const roleAtLeast = (role, needed) => ROLES.indexOf(role) >= ROLES.indexOf(needed);

/** Show or hide the elements marked data-min-role for the signed-in user's role. */
export function applyRole(role, root = document) {
  for (const node of $$('[data-min-role]', root)) node.hidden = !roleAtLeast(role, node.dataset.minRole);
}

/** A box that says what went wrong and what to do, read out by screen readers. */
export function problemBox(error, { workspaceId } = {}) {
  const status = error && error.status;
  const problem = (error && error.problem) || { detail: String(error && error.message || error) };
  const box = h('div', { class: 'alert alert-error', role: 'alert' });
  if (status === 402) {
    box.classList.add('alert-credits');
    box.append(h('p', { class: 'alert-title' }, 'Out of credits'));
    box.append(h('p', {}, problem.detail || 'This workspace has run out of credits for this.'));
    if (!problem.detail && problem.needed !== undefined && problem.available !== undefined) {
      box.append(h('p', { class: 'muted' },
        `Needed ${number(problem.needed)} credits, ${number(problem.available)} available.`));
    }
    if (workspaceId) {
      box.append(h('p', {}, h('a', { href: `/w/${workspaceId}/settings#top-ups` }, 'Top up credits or change the plan')));
    }
    return box;
  }
  const titles = { 0: 'Connection lost', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict', 413: 'Too large', 415: 'Not a video we can read', 429: 'Too many requests' };
  box.append(h('p', { class: 'alert-title' }, titles[status] || problem.title || 'Something went wrong'));
  if (problem.detail) box.append(h('p', {}, problem.detail));
  const errors = Array.isArray(problem.errors) ? problem.errors : [];
  if (errors.length) box.append(h('ul', {}, errors.map((e) => h('li', {}, `${e.field}: ${e.message}`))));
  if (status === 429 && problem.retry_after && !String(problem.detail || '').includes('try again')) box.append(h('p', {}, `Try again in ${problem.retry_after} s.`));
  return box;
}

export function showProblem(container, error, options) {
  if (!container) return;
  clear(container, problemBox(error, options));
}

export function announce(message) {
  const region = document.getElementById('connection');
  if (!region || !region.hidden) return;
  region.className = 'connection connection-note';
  region.textContent = message;
  region.hidden = false;
  window.setTimeout(() => { region.hidden = true; }, 2500);
}

let names = null;

/** The catalog's names of features ("chat_message" -> "Answered question"), fetched once. */
export async function featureNames(api) {
  if (!names) {
    names = new Map();
    const tiers = (await api('/v1/tiers')).items;
    for (const tier of tiers) for (const group of tier.groups) for (const f of group.features) names.set(f.key, f.name);
  }
  return (key) => names.get(key) || humanize(key);
}

export const param = (name) => new URLSearchParams(window.location.search).get(name);
export const bodyData = (name) => document.body.dataset[name];
