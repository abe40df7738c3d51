// Lists of timed items (transcript, on-screen text, chapters, scenes) that follow the playhead:
// the item being played is marked and kept in view, and selecting an item seeks the player.
import { $$, clear, clock, h } from './ui.js';

/** Fill `list` with one button per {start, end} item; returns mark(time) for the playhead. */
export function timedList(list, items, { label, seek, empty, scroller = list.parentElement, horizontal = false }) {
  if (!items.length) {
    clear(list, h('li', { class: 'empty' }, empty));
    return () => {};
  }
  clear(list, items.map((item, index) => h('li', { dataset: { index: String(index) } },
    h('button', { type: 'button', class: 'cue', onclick: () => seek(item.start) },
      h('span', { class: 'cue-time' }, clock(item.start)),
      label(item)))));
  const nodes = $$(':scope > li', list);
  let current = -1;
  return (time) => {
    let found = -1;
    for (let i = 0; i < items.length; i += 1) {
      if (items[i].start <= time + 0.05 && time < items[i].end) found = i;
    }
    if (found === current) return;
    if (current >= 0) { nodes[current].classList.remove('active'); nodes[current].removeAttribute('aria-current'); }
    current = found;
    if (found < 0) return;
    const node = nodes[found];
    node.classList.add('active');
    node.setAttribute('aria-current', 'true');
    if (scroller && !scroller.hidden && !scroller.contains(document.activeElement)) keepInView(scroller, node, horizontal);
  };
}

function keepInView(scroller, node, horizontal) {
  if (horizontal) {
    const left = node.offsetLeft - scroller.offsetLeft;
    if (left < scroller.scrollLeft || left + node.offsetWidth > scroller.scrollLeft + scroller.clientWidth) {
      scroller.scrollTo({ left: Math.max(0, left - scroller.clientWidth / 3), behavior: 'smooth' });
    }
    return;
  }
  const top = node.offsetTop - scroller.offsetTop;
  if (top < scroller.scrollTop || top + node.offsetHeight > scroller.scrollTop + scroller.clientHeight) {
    scroller.scrollTo({ top: Math.max(0, top - scroller.clientHeight / 3), behavior: 'smooth' });
  }
}

/** Tabs with arrow keys, Home and End, as the ARIA practices describe. */
export function tabs(tablist) {
  const buttons = $$('[role="tab"]', tablist);
  const select = (chosen) => {
    for (const tab of buttons) {
      const on = tab === chosen;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      document.getElementById(tab.getAttribute('aria-controls')).hidden = !on;
    }
  };
  tablist.addEventListener('click', (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(tab);
  });
  tablist.addEventListener('keydown', (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = buttons[(moves[event.key] + buttons.length) % buttons.length];
    next.focus();
    select(next);
  });
}
