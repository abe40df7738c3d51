// Inline SVG pictures of credits: pools as stacked bars, usage per day as columns.
import { date, h, humanize, number } from './ui.js';

const dayName = (day) => date(`${day}T12:00:00Z`);

/** One pool: used, reserved and available as parts of one bar, with the figures in words. */
export function poolBar(pool, name = humanize(pool.feature)) {
  const total = Math.max(pool.granted + pool.purchased, pool.used + pool.reserved + pool.available, 1);
  const share = (value) => `${Math.min(100, (100 * value) / total)}%`;
  const words = `${number(pool.used)} used, ${number(pool.reserved)} reserved, ${number(pool.available)} left of ${number(total)}`;
  const bar = h('div', { class: 'meter', role: 'img', 'aria-label': `${name}: ${words}` });
  for (const [kind, value] of [['used', pool.used], ['reserved', pool.reserved]]) {
    const part = h('span', { class: `meter-${kind}` });
    part.style.setProperty('width', share(value));
    bar.append(part);
  }
  const low = pool.available === 0 ? 'pool-empty' : pool.available < total * 0.1 ? 'pool-low' : '';
  return h('div', { class: `pool ${low}` },
    h('div', { class: 'pool-head' },
      h('span', { class: 'pool-name' }, name),
      h('span', { class: 'pool-figures', 'aria-hidden': 'true' }, `${number(pool.available)} left of ${number(total)}`)),
    bar,
    h('div', { class: 'pool-legend', 'aria-hidden': 'true' },
      h('span', { class: 'key key-used' }, `${number(pool.used)} used`),
      pool.reserved ? h('span', { class: 'key key-reserved' }, `${number(pool.reserved)} reserved`) : null,
      pool.purchased ? h('span', { class: 'key' }, `${number(pool.purchased)} bought`) : null));
}

function days(start, end) {
  const list = [];
  const day = new Date(start);
  day.setUTCHours(0, 0, 0, 0);
  const last = new Date(end).getTime();
  while (day.getTime() < last && list.length < 93) {
    list.push(day.toISOString().slice(0, 10));
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return list;
}

/** Columns of credits per day over the report's period, with a table of the same figures. */
export function usageChart(report, width = 640) {
  const byDay = new Map(report.rows.map((row) => [row.key.slice(0, 10), row.credits]));
  const axis = days(report.start, report.end);
  const values = axis.map((day) => byDay.get(day) || 0);
  const peak = Math.max(...values, 1);
  const height = width < 480 ? 180 : 200;
  const pad = { left: 44, right: 8, top: 10, bottom: 26 };
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const step = plotWidth / Math.max(axis.length, 1);
  const total = values.reduce((a, b) => a + b, 0);
  const busiest = axis[values.indexOf(Math.max(...values))];
  const summary = total
    ? `${number(total)} credits used in the ${axis.length} days of this period; the most, ${number(peak)}, on ${dayName(busiest)}.`
    : `No credits used yet in the ${axis.length} days of this period.`;
  const svg = h('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary, class: 'chart-svg' });
  for (const tick of [0, 0.5, 1]) {
    const y = pad.top + plotHeight * (1 - tick);
    svg.append(h('line', { x1: pad.left, x2: width - pad.right, y1: y, y2: y, class: 'chart-grid' }));
    svg.append(h('text', { x: pad.left - 6, y: y + 4, class: 'chart-label', 'text-anchor': 'end', text: number(Math.round(peak * tick)) }));
  }
  const labelEvery = Math.ceil(axis.length / Math.max(3, Math.floor(width / 80)));
  const today = new Date().toISOString().slice(0, 10);
  axis.forEach((day, i) => {
    const barHeight = (plotHeight * values[i]) / peak;
    const x = pad.left + i * step + step * 0.15;
    const bar = h('rect', { x, y: pad.top + plotHeight - barHeight, width: Math.max(step * 0.7, 1), height: barHeight, class: day > today ? 'chart-bar chart-future' : 'chart-bar' });
    bar.append(h('title', { text: `${dayName(day)}: ${number(values[i])} credits` }));
    svg.append(bar);
    if (i % labelEvery === 0) {
      svg.append(h('text', { x: x + step * 0.35, y: height - 8, class: 'chart-label', 'text-anchor': 'middle', text: day.slice(5) }));
    }
  });
  const rows = axis.map((day, i) => [day, values[i]]).filter(([, value]) => value > 0);
  const table = h('details', { class: 'chart-table' },
    h('summary', {}, 'Show the figures'),
    rows.length ? h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Day'), h('th', { scope: 'col' }, 'Credits'))),
      h('tbody', {}, rows.map(([day, value]) => h('tr', {}, h('td', {}, dayName(day)), h('td', {}, number(value))))))
      : h('p', { class: 'muted' }, 'Nothing used yet.'));
  return [h('p', { class: 'chart-summary' }, summary), svg, table];
}
