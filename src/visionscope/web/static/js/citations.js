// Answers with their moments: each [mm:ss] in an answer becomes a link that seeks the player.
import { clock, h } from './ui.js';

const STAMP = /\[(?:(\d{1,2}):)?(\d{1,3}):(\d{2})(?:\s*[-–]\s*(?:(?:\d{1,2}:)?\d{1,2}:\d{2}))?\]/g;

const secondsOf = (hours, minutes, seconds) => Number(hours || 0) * 3600 + Number(minutes) * 60 + Number(seconds);

/** The citation a [mm:ss] stamp stands for: the one starting in that second, else the nearest. */
function citationAt(seconds, citations, videoId) {
  const mine = citations.filter((c) => !videoId || !c.video_id || c.video_id === videoId);
  const exact = mine.find((c) => Math.floor(c.start) === seconds);
  if (exact) return exact;
  const near = mine.filter((c) => Math.abs(c.start - seconds) <= 2 || (c.start <= seconds && seconds <= c.end));
  return near.sort((a, b) => Math.abs(a.start - seconds) - Math.abs(b.start - seconds))[0] || null;
}

/** A link to a moment: follows the href in a new tab, seeks in place on a plain click. */
export function momentLink(label, moment, onSeek, videoId) {
  const target = moment.video_id || videoId;
  const link = h('a', {
    class: 'moment',
    href: `/v/${target}?t=${moment.start.toFixed(2)}`,
    dataset: { start: String(moment.start), end: String(moment.end ?? moment.start) },
    'aria-label': `Play from ${clock(moment.start)}`,
  }, label);
  link.addEventListener('click', (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || !onSeek || (videoId && target !== videoId)) return;
    event.preventDefault();
    onSeek(moment.start, moment);
  });
  return link;
}

/** The answer's text as nodes, its [mm:ss] stamps turned into moment links. */
export function answerNodes(content, citations, { videoId, onSeek }) {
  const nodes = [];
  let last = 0;
  for (const match of content.matchAll(STAMP)) {
    if (match.index > last) nodes.push(content.slice(last, match.index));
    const seconds = secondsOf(match[1], match[2], match[3]);
    const cited = citationAt(seconds, citations, videoId) || { start: seconds, end: seconds, video_id: videoId };
    nodes.push(momentLink(match[0], cited, onSeek, videoId));
    last = match.index + match[0].length;
  }
  if (last < content.length) nodes.push(content.slice(last));
  return nodes;
}

const SOURCE_NAMES = { transcript: 'said', speech: 'said', text: 'on screen', ocr: 'on screen', scene: 'shown', caption: 'shown' };
export const sourceName = (source) => SOURCE_NAMES[source] || source || '';

/** The list of an answer's citations, each with its quote and a link to its span. */
export function citationList(citations, { videoId, onSeek }) {
  if (!citations.length) return null;
  return h('ol', { class: 'citations', 'aria-label': 'Sources' }, citations.map((c) => h('li', {},
    momentLink(`${clock(c.start)}–${clock(c.end)}`, c, onSeek, videoId),
    c.source ? h('span', { class: 'badge badge-source' }, sourceName(c.source)) : null,
    c.quote ? h('q', {}, c.quote) : null)));
}
