// The admin page: polls /api/status and /api/history (only the samples since the last poll) every
// 2 s while the page is visible, draws them with uPlot, runs the serial console in xterm.js over
// server-sent events plus JSON POSTs, logs in, and reads and posts the settings with the CSRF token.
'use strict';
let csrf = null;
let loggedIn = false;
let loaded = {}; // the settings as last read: only what the user changed is posted (and written to the file)
const $ = (id) => document.getElementById(id);
const U = Units;

function message(text, ok) {
  const m = $('message');
  m.textContent = text;
  m.className = ok ? 'ok' : 'error';
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                credentials: 'same-origin' });
  let data = null;
  try { data = await r.json(); } catch (e) { /* not JSON */ }
  return { status: r.status, data };
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// A table of rows with columns [key, heading, format?]; cells keep the raw value for sorting.
function table(id, rows, columns, onRow) {
  const t = $(id);
  t.replaceChildren();
  const head = t.createTHead().insertRow();
  for (const [key, heading, , cls] of columns) {
    const th = el('th', heading, cls);
    th.dataset.key = key;
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const [key, , format, cls] of columns) {
      const v = row[key];
      const td = tr.insertCell();
      td.textContent = format ? format(v, row) : U.value(key, v);
      if (cls) td.className = cls;
    }
    if (onRow) onRow(tr, row);
  }
  if (rows.length === 0) {
    const td = body.insertRow().insertCell();
    td.colSpan = columns.length;
    td.textContent = 'none';
    td.className = 'none';
  }
}

function fields(dl, entries) {
  dl.replaceChildren();
  for (const [k, v] of entries) {
    dl.appendChild(el('dt', k));
    dl.appendChild(el('dd', v));
  }
}

// ---------------------------------------------------------------- status

let lastStatus = null;

async function refresh() {
  if (document.hidden) return;
  const r = await api('GET', '/api/status');
  const locked = r.status === 401;
  $('status').hidden = locked;
  $('status-locked').hidden = !locked;
  if (r.status !== 200) return;
  const s = r.data;
  lastStatus = s;
  $('summary').textContent = `${s.link} · up ${U.duration(s.uptimeMillis)}`;
  $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();

  const ifaces = $('interfaces');
  ifaces.replaceChildren();
  for (const i of s.interfaces) {
    const card = el('div', null, 'card');
    card.appendChild(el('strong', i.name));
    card.appendChild(el('span', ` ${i.address}/${i.prefixLength}`));
    const dl = el('dl');
    fields(dl, [['MAC', i.mac], ['MTU', `${i.mtu} bytes`], ['Netmask', i.netmask], ['Broadcast', i.broadcast]]);
    card.appendChild(dl);
    ifaces.appendChild(card);
  }
  const a = s.addressing;
  const lease = a.lease ? `${a.lease.address} from ${a.lease.server || 'a DHCP server'}`
      + (a.lease.leaseSeconds ? `, for ${U.duration(a.lease.leaseSeconds * 1000)}` : '') : null;
  fields($('addressing'), [['Mode', a.mode === 'dhcp' ? 'DHCP' : 'static'], ['Address', a.address || (lease ? '' : 'none')],
    ...(lease ? [['Lease', lease]] : []), ['Gateway', a.gateway || (a.lease && a.lease.router) || 'none'],
    ['DNS servers', (a.dns.length ? a.dns : (a.lease ? a.lease.dns : [])).join(', ') || 'none']]);

  services(s.services);
  table('routes', s.routes, [['destination', 'Destination'], ['gateway', 'Via', (v) => v || 'direct'], ['interface', 'Interface']]);
  table('arp', s.arp, [['ip', 'Address'], ['mac', 'MAC', (v) => v || '(resolving)'], ['state', 'State', (v) => String(v).toLowerCase()],
    ['ageMillis', 'Learned']]);
  table('listeners', s.tcp.listeners, [['local', 'Listening on'], ['queued', 'Waiting to be accepted', U.count]]);
  table('udp', s.udp, [['local', 'Local'], ['peer', 'Peer', (v) => v || 'any'], ['queued', 'Queued', U.count],
    ['received', 'Received', U.count], ['dropped', 'Dropped', U.count]]);
  table('counters', Object.entries(s.counters).filter(([, v]) => v !== 0).map(([name, value]) => ({ name, value })),
    [['name', 'Counter', (v) => v, 'name'], ['value', 'Value', U.count]]);
  connections(s.tcp.connections);
  if (s.config.restartNeeded.length) {
    $('config-file').textContent = 'Saved; takes effect at the next start: ' + s.config.restartNeeded.join(', ');
  }
}

// A service's detail value: a nested object (the HTTP server's connection counts) as "accepted 12, refused busy 0".
function readable(k, v) {
  if (v === null || typeof v !== 'object') return U.value(k, v);
  if (Array.isArray(v)) return v.join(', ');
  return Object.entries(v).map(([k2, v2]) => `${U.label(k2).toLowerCase()} ${readable(k2, v2)}`).join(', ');
}

function services(list) {
  const box = $('services');
  box.replaceChildren();
  for (const svc of list) {
    const card = el('div', null, 'card service ' + svc.state);
    const title = el('div');
    title.appendChild(el('strong', svc.name));
    title.appendChild(el('span', svc.state, 'badge ' + svc.state));
    card.appendChild(title);
    if (svc.listening) card.appendChild(el('div', svc.listening));
    if (svc.error) card.appendChild(el('div', svc.error, 'error'));
    if (svc.detail && Object.keys(svc.detail).length) {
      const dl = el('dl');
      fields(dl, Object.entries(svc.detail).map(([k, v]) => [U.label(k), readable(k, v)]));
      card.appendChild(dl);
    }
    box.appendChild(card);
  }
}

// ---------------------------------------------------------------- connections: sortable, filterable, a detail view

let connSort = { key: 'state', up: true };
let connRows = [];
let selected = null; // the id ("local remote") of the connection in the detail view

const connId = (c) => `${c.local} ${c.remote}`;
const CONN_COLUMNS = [
  ['state', 'State', (v) => String(v).toLowerCase().replace('_', ' ')],
  ['remote', 'Peer'],
  ['local', 'Local', undefined, 'opt'],
  ['bytesSent', 'Sent'],
  ['bytesReceived', 'Received'],
  ['srttMicros', 'RTT', undefined, 'opt'],
  ['cwnd', 'cwnd', undefined, 'opt'],
  ['retransmittedSegments', 'Retrans.', U.count, 'opt'],
];

function connections(list) {
  connRows = list;
  const filter = $('conn-filter').value.trim().toLowerCase();
  const rows = list.filter((c) => !filter || `${c.state} ${c.local} ${c.remote}`.toLowerCase().includes(filter));
  const { key, up } = connSort;
  rows.sort((x, y) => {
    const a = x[key], b = y[key];
    const d = typeof a === 'number' ? a - b : String(a).localeCompare(String(b), 'en', { numeric: true });
    return up ? d : -d;
  });
  $('conn-count').textContent = `${rows.length} of ${list.length}`;
  table('connections', rows, CONN_COLUMNS, (tr, c) => {
    tr.tabIndex = 0;
    tr.className = 'clickable' + (connId(c) === selected ? ' selected' : '');
    tr.addEventListener('click', () => select(connId(c)));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') select(connId(c)); });
  });
  for (const th of $('connections').tHead.rows[0].cells) {
    th.classList.add('sort');
    if (th.dataset.key === key) th.classList.add(up ? 'up' : 'down');
    th.addEventListener('click', () => {
      connSort = { key: th.dataset.key, up: connSort.key === th.dataset.key ? !connSort.up : true };
      connections(connRows);
    });
  }
  detail();
}

function select(id) {
  selected = id;
  connHistory = emptyStore();
  connCursor = 0;
  connections(connRows);
  pollHistory();
}

function detail() {
  const box = $('conn-detail');
  const c = connRows.find((x) => connId(x) === selected);
  box.hidden = !selected;
  if (!selected) return;
  $('conn-title').textContent = c ? `${c.local} ⇄ ${c.remote}` : `${selected} (closed)`;
  if (c) {
    fields($('conn-fields'), Object.entries(c).filter(([k]) => !['local', 'remote'].includes(k))
      .map(([k, v]) => [U.label(k), k === 'state' ? String(v).toLowerCase().replace('_', ' ') : U.value(k, v)]));
  }
}

$('conn-filter').addEventListener('input', () => connections(connRows));
$('conn-close').addEventListener('click', () => { selected = null; connections(connRows); });

// ---------------------------------------------------------------- charts

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

// ---------------------------------------------------------------- the serial console

let term = null;
let events = null;
let typing = '';
let sending = false;

function fitTerminal() {
  if (!term) return;
  const cols = Math.max(20, Math.floor(($('terminal').clientWidth - 12) / 7.9));
  if (cols !== term.cols) term.resize(cols, 24);
}

function openConsole() {
  if (events || typeof Terminal === 'undefined') return;
  if (!term) {
    term = new Terminal({ cols: 80, rows: 24, scrollback: 5000, fontSize: 13, convertEol: false,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', theme: { background: '#111' } });
    term.open($('terminal'));
    fitTerminal();
    term.onData((d) => { typing += d; flushTyping(); });
    window.jnsConsoleText = () => {
      const b = term.buffer.active;
      const out = [];
      for (let i = 0; i < b.length; i++) out.push(b.getLine(i).translateToString(true));
      return out.join('\n');
    };
  }
  events = new EventSource('/api/console/stream');
  events.addEventListener('hello', (e) => {
    const h = JSON.parse(e.data);
    $('console-off').hidden = true;
    $('terminal').hidden = false;
    $('console-state').textContent = `${h.line} · ` + (h.mayType ? 'you may type (input from ' + h.input + ')'
      : h.input === 'none' ? 'read only: the console takes input from nobody' : 'read only: another client types');
  });
  events.addEventListener('output', (e) => {
    const bin = atob(e.data);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    term.write(bytes);
  });
  events.addEventListener('end', (e) => {
    closeConsole();
    // The console restarted (its settings changed): open it again. Opened in another tab of this
    // session, or logged out: leave it, or two tabs would take it from each other for ever.
    const again = /stopped/.test(e.data);
    $('console-state').textContent = 'closed: ' + e.data + (again ? '' : ' — reload the page to open it here');
    if (again && loggedIn) setTimeout(openConsole, 3000);
  });
  events.onerror = async () => {
    if (events && events.readyState === EventSource.CLOSED) {
      closeConsole();
      const r = await api('GET', '/api/session');
      if (r.data && r.data.loggedIn) consoleOff();
    }
  };
}

async function consoleOff() {
  // Refused (404 when the console is off): say why, and look again later.
  $('terminal').hidden = true;
  $('console-off').hidden = false;
  $('console-off').textContent = 'The serial console is off, or open in too many pages. Turn it on under Settings.';
  setTimeout(() => { if (loggedIn) openConsole(); }, 10000);
}

function closeConsole() {
  if (events) events.close();
  events = null;
}

async function flushTyping() {
  if (sending || !typing) return;
  sending = true;
  const data = typing.slice(0, 4096);
  typing = typing.slice(data.length);
  const r = await api('POST', '/api/console/input', { data });
  sending = false;
  if (r.status !== 200) $('console-state').textContent = r.data ? r.data.error : 'not sent';
  if (typing) flushTyping();
}

// ---------------------------------------------------------------- session and settings

async function loadSession() {
  const r = await api('GET', '/api/session');
  csrf = r.data.csrf;
  loggedIn = r.data.loggedIn;
  $('login-form').hidden = loggedIn;
  $('logout').hidden = !loggedIn;
  $('settings-section').hidden = !loggedIn;
  $('console-section').hidden = !loggedIn;
  if (loggedIn) {
    openConsole();
    await loadSettings();
  } else {
    closeConsole();
  }
}

async function loadSettings() {
  const r = await api('GET', '/api/config');
  if (r.status !== 200) return;
  const form = $('settings');
  loaded = r.data.settings;
  for (const [k, v] of Object.entries(r.data.settings)) {
    const input = form.elements[k];
    if (!input) continue;
    if (input.type === 'checkbox') input.checked = v === true; else input.value = v === null ? '' : v;
    input.disabled = r.data.overridden.includes(k);
    input.title = input.disabled ? 'set on the command line' : '';
  }
  form.elements['admin.password'].value = '';
  $('www-root').textContent = r.data.wwwRoot ? `serving ${r.data.wwwRoot}` : '(set [www] root in the config file)';
  $('tftp-root').textContent = r.data.tftpRoot ? `serving ${r.data.tftpRoot}` : '(set [tftp] root in the config file)';
  $('serial-line').textContent = r.data.serialLine ? `line ${r.data.serialLine}` : '(set the [serial] line in the config file)';
  $('config-file').textContent = r.data.file ? 'Saved to ' + r.data.file : 'No config file: changes last until the appliance stops.';
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await api('POST', '/api/login', { password: $('password').value });
  $('password').value = '';
  if (r.status === 200) {
    csrf = r.data.csrf;
    message('Logged in.', true);
    await loadSession();
    await refresh();
    await pollHistory();
  } else {
    message(r.data ? r.data.error : 'login failed', false);
  }
});

$('logout').addEventListener('click', async () => {
  closeConsole();
  await api('POST', '/api/logout', {});
  csrf = null;
  message('Logged out.', true);
  await loadSession();
  await refresh();
});

$('settings').addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = {};
  for (const input of $('settings').elements) {
    if (!input.name || input.disabled) continue;
    const was = loaded[input.name];
    if (input.type === 'checkbox') { if (input.checked !== (was === true)) body[input.name] = input.checked; }
    else if (input.name === 'admin.password') { if (input.value) body[input.name] = input.value; }
    else if (String(input.value) !== String(was === null || was === undefined ? '' : was)) body[input.name] = input.value;
  }
  if (Object.keys(body).length === 0) {
    message('Nothing changed.', true);
    return;
  }
  const r = await api('POST', '/api/config', body);
  if (r.status === 200) {
    const parts = [];
    parts.push(r.data.applied.length ? 'Applied: ' + r.data.applied.join(', ') + '.' : 'Nothing changed.');
    if (r.data.restartNeeded.length) parts.push('At the next start: ' + r.data.restartNeeded.join(', ') + '.');
    for (const [name, why] of Object.entries(r.data.failures)) parts.push(`${name} failed: ${why}`);
    message(parts.join(' '), Object.keys(r.data.failures).length === 0);
    if (r.data.loggedOut) { csrf = null; await loadSession(); }
    else if (body['admin.port'] !== undefined && String(body['admin.port']) !== location.port && (location.port || '80') !== String(body['admin.port'])) {
      message(parts.join(' ') + ' The page moved to port ' + body['admin.port'] + '.', true);
    } else {
      await loadSettings();
    }
    await refresh();
  } else {
    message(r.data && r.data.problems ? r.data.problems.join('\n') : (r.data ? r.data.error : 'failed'), false);
  }
});

document.addEventListener('visibilitychange', () => { if (!document.hidden) { refresh(); pollHistory(); } });
loadSession().then(refresh).then(pollHistory);
setInterval(refresh, 2000);
setInterval(pollHistory, 2000);
