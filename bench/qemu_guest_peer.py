#!/usr/bin/env python3
"""The host's side of one guest run of bench/qemu-guest-net.sh (the guest runs interop/qemu/bench.sh):
  qemu_guest_peer.py PORT MB CONNS QEMU_PIDFILE GATEWAY_PID|-
listens on 127.0.0.1: PORT takes MB megabytes from the guest (guest -> host, busybox nc), PORT+1 answers
one HTTP request with MB megabytes (host -> guest, busybox wget), PORT+2 answers CONNS HTTP requests with
one byte each and closes them. The guest uses them in that order. (HTTP rather than nc for what the host
sends: nc with no input half-closes first, after which passt 2023-03-09 stops passing the host's data.) For each it prints the bytes, the host's wall time and, over the same interval, the CPU
used by QEMU's vCPU thread (the guest's CPU under TCG), by QEMU's other threads (its main loop, where
libslirp and the stream socket's I/O run) and by the gateway process, each as a percentage of that wall
time (100% = one core)."""
import os, socket, sys, time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(stat_path):
    with open(stat_path) as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK   # utime, stime


def cpu(qemu_pid, gw_pid):
    """(vCPU seconds, other QEMU seconds, gateway seconds)."""
    vcpu = total = gw = 0.0
    if qemu_pid:
        try:
            total = cpu_of(f"/proc/{qemu_pid}/stat")
            for t in os.listdir(f"/proc/{qemu_pid}/task"):
                with open(f"/proc/{qemu_pid}/task/{t}/comm") as f:
                    if f.read().startswith("CPU "):     # -name ...,debug-threads=on: "CPU 0/TCG"
                        vcpu += cpu_of(f"/proc/{qemu_pid}/task/{t}/stat")
        except (FileNotFoundError, ProcessLookupError):
            pass
    if gw_pid:
        try:
            gw = cpu_of(f"/proc/{gw_pid}/stat")
        except (FileNotFoundError, ProcessLookupError):
            pass
    return vcpu, total - vcpu, gw


def listen(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(256)
    s.settimeout(300)
    return s


def read_request(c):
    """Reads an HTTP request's head (all a GET has)."""
    head = b""
    while b"\r\n\r\n" not in head:
        d = c.recv(4096)
        if not d:
            break
        head += d


def main():
    port, mb, conns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    pidfile, gw_pid = sys.argv[4], (None if sys.argv[5] == "-" else int(sys.argv[5]))
    total = mb * 1024 * 1024
    sink, source, conn = listen(port), listen(port + 1), listen(port + 2)
    print("listening", flush=True)

    def qemu_pid():
        try:
            with open(pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def report(what, count, t0, c0, t1, c1):
        secs = t1 - t0
        use = [f"{(b - a) / secs * 100:.0f}" for a, b in zip(c0, c1)]
        rate = f"mbps={count / secs / 1e6:.2f}" if what != "conn" else f"per_s={(count - 1) / secs:.1f}"
        print(f"{what} count={count} secs={secs:.3f} {rate} vcpu={use[0]} qemu_other={use[1]} gw={use[2]}", flush=True)

    try:
        # guest -> host: timed from the accept to the last expected byte
        c, _ = sink.accept()
        c.settimeout(120)   # a transfer that stalls ends the run instead of hanging it
        q = qemu_pid()
        t0, c0 = time.perf_counter(), cpu(q, gw_pid)
        n = 0
        buf = bytearray(1 << 20)
        while n < total:
            k = c.recv_into(buf)
            if k == 0:
                break
            n += k
        report("send", n, t0, c0, time.perf_counter(), cpu(q, gw_pid))
        while c.recv_into(buf):
            pass
        c.close()

        # host -> guest: timed from the accept (the request follows at once) until the guest, having read to the end, closes
        c, _ = source.accept()
        c.settimeout(120)
        t0, c0 = time.perf_counter(), cpu(q, gw_pid)
        read_request(c)
        c.sendall(f"HTTP/1.0 200 OK\r\nContent-Length: {total}\r\n\r\n".encode())
        chunk = memoryview(bytes(1 << 20))
        left = total
        while left > 0:
            k = min(left, len(chunk))
            c.sendall(chunk[:k])
            left -= k
        c.shutdown(socket.SHUT_WR)
        while c.recv(4096):
            pass
        report("recv", total, t0, c0, time.perf_counter(), cpu(q, gw_pid))
        c.close()

        # connection setups: first accept to last accept
        t0 = c0 = None
        for i in range(conns):
            c, _ = conn.accept()
            if t0 is None:
                t0, c0 = time.perf_counter(), cpu(q, gw_pid)
            c.settimeout(30)
            try:
                read_request(c)
                c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx")
            except OSError:
                pass
            c.close()
        report("conn", conns, t0, c0, time.perf_counter(), cpu(q, gw_pid))
    except socket.timeout:
        print("timeout: the guest stopped connecting or a transfer stalled", flush=True)
        sys.exit(1)


main()
