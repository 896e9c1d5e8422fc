// The admin page's charts: the samples of /api/history merged into stores of at most 5 minutes,
// drawn with uPlot (from its WebJar). Uses app.js's helpers and connections.js's selection.
'use strict';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
const MAX_SAMPLES = 300;
const emptyStore = () => ({ times: [], series: {} });
let store = emptyStore();
let cursor = 0;
let connHistory = emptyStore();
let connCursor = 0;
const plots = {};

// Appends an answer of /api/history to a store, keeping the last MAX_SAMPLES samples.
function merge(st, h) {
  const n = h.times.length;
  if (n === 0) return;
  const before = st.times.length;
  st.times.push(...h.times.map((t) => t / 1000));
  for (const [name, values] of Object.entries(h.series)) {
    if (!st.series[name]) st.series[name] = new Array(before).fill(null);
    st.series[name].push(...values);
  }
  for (const values of Object.values(st.series)) {
    while (values.length < st.times.length) values.push(null);
  }
  const extra = st.times.length - MAX_SAMPLES;
  if (extra > 0) {
    st.times.splice(0, extra);
    for (const values of Object.values(st.series)) values.splice(0, extra);
  }
}

function plotWidth(fig) {
  return Math.max(200, fig.querySelector('.plot').clientWidth || fig.clientWidth - 16);
}

// Draws (or redraws, when its series changed) the chart in figure id.
function draw(id, lines, yLabel, opts = {}) {
  const fig = $(id);
  const keys = lines.map((l) => l.label).join('|');
  const data = [lines.times, ...lines.map((l) => l.values)];
  let p = plots[id];
  if (p && p.keys === keys && p.yLabel === yLabel) {
    p.plot.setData(data);
    return;
  }
  if (p) p.plot.destroy();
  const series = [{}, ...lines.map((l, i) => ({ label: l.label, stroke: l.color || PALETTE[i % PALETTE.length], width: 1.5,
    scale: l.scale || 'y', value: (u, v) => (v === null || v === undefined ? '–' : l.format ? l.format(v) : trimNum(v)) }))];
  const axes = [{ space: 60 }, { label: yLabel, size: 56, values: (u, vals) => vals.map(trimNum) }];
  if (opts.right) axes.push({ scale: 'right', side: 1, label: opts.right, grid: { show: false }, size: 48 });
  const plot = new uPlot({ width: plotWidth(fig), height: 180, series, axes, legend: { live: false },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max)] },
      ...(opts.right ? { right: { range: (u, min, max) => [0, Math.max(1, max)] } } : {}) },
    cursor: { drag: { x: false, y: false } } }, data, fig.querySelector('.plot'));
  plots[id] = { plot, keys, yLabel };
}

const trimNum = (v) => (v === null ? '' : Math.abs(v) >= 100 || Number.isInteger(v) ? Math.round(v).toLocaleString('en') : v.toFixed(Math.abs(v) >= 10 ? 1 : 2));

function withTimes(lines, times) {
  lines.times = times;
  return lines;
}

function drawCharts() {
  const s = store.series;
  const ifaces = [...new Set(Object.keys(s).filter((k) => k.startsWith('if.')).map((k) => k.split('.')[1]))];
  const max = Math.max(0, ...ifaces.flatMap((i) => [...(s[`if.${i}.rx_bps`] || []), ...(s[`if.${i}.tx_bps`] || [])]).filter((v) => v !== null));
  const [div, unit] = U.bitScale(max);
  $('bits-unit').textContent = unit;
  draw('chart-bits', withTimes(ifaces.flatMap((i) => [
    { label: `${i} in`, values: (s[`if.${i}.rx_bps`] || []).map((v) => (v === null ? null : v / div)), format: (v) => `${trimNum(v)} ${unit}` },
    { label: `${i} out`, values: (s[`if.${i}.tx_bps`] || []).map((v) => (v === null ? null : v / div)), format: (v) => `${trimNum(v)} ${unit}` }]),
  store.times), unit);
  draw('chart-packets', withTimes(ifaces.flatMap((i) => [
    { label: `${i} in`, values: s[`if.${i}.rx_pps`] || [] }, { label: `${i} out`, values: s[`if.${i}.tx_pps`] || [] }]),
  store.times), 'packets/s');
  const states = Object.keys(s).filter((k) => k.startsWith('tcp.state.')).sort();
  draw('chart-tcp', withTimes(states.map((k) => ({ label: k.slice(10).toLowerCase().replace('_', ' '), values: s[k] })), store.times),
    'connections');
  const drops = Object.keys(s).filter((k) => k.startsWith('drop.')).sort();
  draw('chart-drops', withTimes([{ label: 'TCP retransmissions', values: s['tcp.retransmits'] || [], color: '#000' },
    ...drops.map((k) => ({ label: k.slice(5), values: s[k] }))], store.times), 'per second');
  if (selected && connHistory.times.length) {
    const c = connHistory.series;
    const kib = (vs) => (vs || []).map((v) => (v === null ? null : v / 1024));
    draw('chart-conn', withTimes([
      { label: 'cwnd', values: kib(c.cwnd), format: (v) => `${trimNum(v)} KiB` },
      { label: 'send window', values: kib(c.sendWindow), format: (v) => `${trimNum(v)} KiB` },
      { label: 'smoothed RTT', values: c.srttMs || [], scale: 'right', format: (v) => `${trimNum(v)} ms`, color: '#000' }],
    connHistory.times), 'KiB', { right: 'ms' });
  }
}

async function pollHistory() {
  if (document.hidden || typeof uPlot === 'undefined') return;
  let path = `/api/history?since=${cursor}`;
  if (selected) path += `&conn=${encodeURIComponent(selected)}&connSince=${connCursor}`;
  const r = await api('GET', path);
  const locked = r.status === 401;
  $('charts').hidden = locked;
  $('charts-locked').hidden = !locked;
  if (r.status !== 200) return;
  if (r.data.latest < cursor) store = emptyStore(); // the page's server restarted: start over
  merge(store, r.data);
  cursor = r.data.latest;
  if (r.data.connection && r.data.connection.id === selected) {
    merge(connHistory, r.data.connection);
    connCursor = r.data.connection.latest;
  }
  drawCharts();
}

window.addEventListener('resize', () => {
  for (const [id, p] of Object.entries(plots)) p.plot.setSize({ width: plotWidth($(id)), height: 180 });
  fitTerminal();
});
