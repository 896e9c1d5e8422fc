// The admin page's TCP connection list: sortable by any column, filterable, and a detail view of
// one connection (its fields in their units; its chart is drawn by charts.js). Uses app.js's helpers.
'use strict';

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
