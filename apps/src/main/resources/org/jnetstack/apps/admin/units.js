// Numbers as a person reads them: sizes in binary units (KiB), rates in decimal bits (Mbit/s, as
// links are sold), times in ms / s / min, and ages as "2 min ago". Also readable names for the
// API's field names. Used by app.js; no state.
'use strict';
const Units = (() => {
  const trim = (x) => (Math.abs(x) >= 100 || Number.isInteger(x) ? Math.round(x).toString() : x.toFixed(Math.abs(x) >= 10 ? 1 : 2));

  function bytes(n) {
    if (n === null || n === undefined) return '';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (Math.abs(n) >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : trim(n)) + ' ' + u[i];
  }

  // The unit a chart of bit rates up to max uses: [divisor, label].
  function bitScale(max) {
    if (max >= 1e9) return [1e9, 'Gbit/s'];
    if (max >= 1e6) return [1e6, 'Mbit/s'];
    if (max >= 1e3) return [1e3, 'kbit/s'];
    return [1, 'bit/s'];
  }

  function bitRate(bps) {
    const [d, label] = bitScale(Math.abs(bps));
    return trim(bps / d) + ' ' + label;
  }

  function micros(us) {
    if (us === null || us === undefined) return '';
    if (us < 1000) return us + ' µs';
    if (us < 10_000_000) return trim(us / 1000) + ' ms';
    return trim(us / 1e6) + ' s';
  }

  function duration(ms) {
    const s = Math.floor(ms / 1000);
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : '');
    const h = Math.floor(m / 60);
    if (h < 48) return h + ' h' + (m % 60 ? ' ' + (m % 60) + ' min' : '');
    return Math.floor(h / 24) + ' days ' + (h % 24) + ' h';
  }

  function ago(ms) {
    if (ms < 2000) return 'just now';
    return duration(ms).split(' ').slice(0, 2).join(' ') + ' ago';
  }

  function count(n) {
    return n === null || n === undefined ? '' : Number(n).toLocaleString('en');
  }

  // camelCase or dotted.snake_case → "Words like these".
  const NAMES = {
    srttMicros: 'Smoothed RTT', rttvarMicros: 'RTT variation', rtoMicros: 'Retransmission timeout', mss: 'MSS',
    cwnd: 'Congestion window', ssthresh: 'Slow-start threshold', sendWindow: 'Send window', receiveWindow: 'Receive window',
    retransmittedSegments: 'Retransmitted segments', retransmittedBytes: 'Retransmitted', bytesSent: 'Sent',
    bytesAcked: 'Acknowledged', bytesReceived: 'Received', unackedBytes: 'In flight', sendBuffered: 'Send buffer',
    receiveBuffered: 'Receive buffer', sack: 'SACK', timestamps: 'Timestamps', sendWindowScale: 'Send window scale',
    receiveWindowScale: 'Receive window scale', congestionControl: 'Congestion control', inRecovery: 'In recovery',
    lineBytesIn: 'From the line', lineBytesOut: 'To the line', droppedBytes: 'Output dropped (slow clients)',
    disconnectedSlow: 'Slow clients disconnected', inputDiscarded: 'Input discarded', httpRejected: 'Web requests refused',
    loginFailures: 'Failed logins', lineState: 'Line', prefixLength: 'Prefix', ageMillis: 'Age', mtu: 'MTU', mac: 'MAC',
  };
  function label(key) {
    if (NAMES[key]) return NAMES[key];
    const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[._]/g, ' ').toLowerCase();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  // A field's value in its unit, by the field's name.
  function value(key, v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (typeof v !== 'number') return String(v);
    if (key.endsWith('Micros')) return micros(v);
    if (key.endsWith('Millis')) return key === 'ageMillis' ? ago(v) : micros(v * 1000);
    if (/bytes|Bytes|cwnd|ssthresh|Window$|Buffered$|Acked$|Sent$|Received$/.test(key) && !/Scale$/.test(key)
        && !/Discarded|discarded/.test(key)) return bytes(v);
    return count(v);
  }

  return { bytes, bitScale, bitRate, micros, duration, ago, count, label, value };
})();
