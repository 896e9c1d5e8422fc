// The serial console in the page: xterm.js fed by the server-sent events of /api/console/stream;
// keystrokes are posted (JSON, with the CSRF token) one request at a time. Uses app.js's helpers.
'use strict';

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
