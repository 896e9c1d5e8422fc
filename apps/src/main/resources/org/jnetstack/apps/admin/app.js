// The admin page: polls /api/status and /api/history (only the samples since the last poll, drawn by
// charts.js) every 2 s while the page is visible, shows the status, logs in, opens the serial console
// (console.js), and reads and posts the settings with the CSRF token.
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
    const v6 = s.ipv6.addresses.filter((a) => a.interface === i.name && a.state !== 'duplicate').map((a) => a.address);
    fields(dl, [['MAC', i.mac], ['MTU', `${i.mtu} bytes`], ['Netmask', i.netmask], ['Broadcast', i.broadcast],
      ...(v6.length ? [['IPv6', v6.join(', ')]] : [])]);
    card.appendChild(dl);
    ifaces.appendChild(card);
  }
  const a = s.addressing;
  const lease = a.lease ? `${a.lease.address} from ${a.lease.server || 'a DHCP server'}`
      + (a.lease.leaseSeconds ? `, for ${U.duration(a.lease.leaseSeconds * 1000)}` : '') : null;
  fields($('addressing'), [['Mode', a.mode === 'dhcp' ? 'DHCP' : 'static'], ['Address', a.address || (lease ? '' : 'none')],
    ...(lease ? [['Lease', lease]] : []), ['Gateway', a.gateway || (a.lease && a.lease.router) || 'none'],
    ['DNS servers', (a.dns.length ? a.dns : (a.lease ? a.lease.dns : [])).join(', ') || 'none'],
    ...(s.ipv6.dns.length ? [['IPv6 DNS servers (router advertised, DHCPv6)', s.ipv6.dns.join(', ')]] : []),
    ...((s.ipv6.dhcpv6Dns || []).length ? [['IPv6 DNS servers from DHCPv6', s.ipv6.dhcpv6Dns.join(', ')
      + ((s.ipv6.dhcpv6Domains || []).length ? ' (search ' + s.ipv6.dhcpv6Domains.join(' ') + ')' : '')]] : [])]);

  services(s.services);
  table('routes', s.routes, [['destination', 'Destination'], ['gateway', 'Via', (v) => v || 'direct'], ['interface', 'Interface']]);
  table('arp', s.arp, [['ip', 'Address'], ['mac', 'MAC', (v) => v || '(resolving)'], ['state', 'State', (v) => String(v).toLowerCase()],
    ['ageMillis', 'Learned']]);
  ipv6(s.ipv6);
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

// IPv6: addresses (state: tentative until duplicate address detection passes), routers, prefixes, neighbours.
function ipv6(v6) {
  $('ipv6').hidden = !v6.enabled;
  if (!v6.enabled) return;
  const life = (v) => v < 0 ? 'forever' : U.duration(v * 1000);
  // On a phone the interface, lifetimes and router flag (class opt) give way to the address and its state.
  table('ipv6-addresses', v6.addresses, [['address', 'Address'], ['interface', 'Interface', null, 'opt'], ['state', 'State'],
    ['origin', 'Origin', (v) => v.replace('_', '-')], ['validSeconds', 'Valid', life, 'opt'], ['preferredSeconds', 'Preferred', life, 'opt']]);
  table('ipv6-routers', v6.routers, [['address', 'Router'], ['interface', 'Interface', null, 'opt'], ['lifetimeSeconds', 'Lifetime', life]]);
  table('ipv6-prefixes', v6.prefixes, [['prefix', 'Prefix'], ['interface', 'Interface', null, 'opt'], ['validSeconds', 'Valid', life]]);
  table('ipv6-neighbors', v6.neighbors, [['ip', 'Address'], ['mac', 'MAC', (v) => v || '(resolving)'], ['state', 'State'],
    ['router', 'Router', (v) => v ? 'yes' : '', 'opt']]);
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

// Started once every script (charts.js, connections.js, console.js) has run.
document.addEventListener('DOMContentLoaded', () => {
  document.addEventListener('visibilitychange', () => { if (!document.hidden) { refresh(); pollHistory(); } });
  loadSession().then(refresh).then(pollHistory);
  setInterval(refresh, 2000);
  setInterval(pollHistory, 2000);
});
