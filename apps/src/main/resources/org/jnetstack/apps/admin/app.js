// The admin page: polls /api/status every 2 s; logs in; reads and posts the settings with the CSRF token.
'use strict';
let csrf = null;
let loaded = {}; // the settings as last read: only what the user changed is posted (and written to the file)
const $ = (id) => document.getElementById(id);

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

function table(id, rows, columns) {
  const t = $(id);
  t.replaceChildren();
  const head = t.insertRow();
  for (const c of columns) {
    const th = document.createElement('th');
    th.textContent = c;
    head.appendChild(th);
  }
  for (const row of rows) {
    const tr = t.insertRow();
    for (const c of columns) {
      const v = row[c];
      tr.insertCell().textContent = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
  }
}

function uptime(ms) {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 3600)}h ${Math.floor(s / 60) % 60}m ${s % 60}s`;
}

async function refresh() {
  const r = await api('GET', '/api/status');
  if (r.status === 401) {
    $('status').hidden = true;
    $('status-locked').hidden = false;
    return;
  }
  if (r.status !== 200) return;
  const s = r.data;
  $('status').hidden = false;
  $('status-locked').hidden = true;
  $('summary').textContent = `${s.link} · up ${uptime(s.uptimeMillis)}`;
  $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  table('interfaces', s.interfaces, ['name', 'mac', 'mtu', 'address', 'prefixLength', 'netmask', 'broadcast']);
  table('addressing', [s.addressing], ['mode', 'address', 'gateway', 'dns', 'lease']);
  table('routes', s.routes, ['destination', 'gateway', 'interface']);
  table('arp', s.arp, ['interface', 'ip', 'mac', 'state', 'ageMillis']);
  table('services', s.services, ['name', 'state', 'listening', 'detail', 'error']);
  table('listeners', s.tcp.listeners, ['local', 'queued']);
  table('connections', s.tcp.connections, ['state', 'local', 'remote', 'cwnd', 'ssthresh', 'srttMicros', 'rtoMicros',
    'retransmittedSegments', 'bytesSent', 'bytesAcked', 'bytesReceived', 'sendWindow', 'receiveWindow', 'congestionControl']);
  table('udp', s.udp, ['local', 'peer', 'queued', 'received', 'dropped']);
  table('counters', Object.entries(s.counters).filter(([, v]) => v !== 0).map(([name, value]) => ({ name, value })),
    ['name', 'value']);
  if (s.config.restartNeeded.length) {
    $('config-file').textContent = 'Saved; takes effect at the next start: ' + s.config.restartNeeded.join(', ');
  }
}

async function loadSession() {
  const r = await api('GET', '/api/session');
  csrf = r.data.csrf;
  $('login-form').hidden = r.data.loggedIn;
  $('logout').hidden = !r.data.loggedIn;
  $('settings-section').hidden = !r.data.loggedIn;
  if (r.data.loggedIn) await loadSettings();
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
  } else {
    message(r.data ? r.data.error : 'login failed', false);
  }
});

$('logout').addEventListener('click', async () => {
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

loadSession().then(refresh);
setInterval(refresh, 2000);
