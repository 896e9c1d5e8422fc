#!/usr/bin/env python3
"""Kernel side of bench/tcp-e2e.sh: plain sockets, large buffers.
  tcp_peer.py sink ADDR PORT        accept one connection, read to EOF, print bytes, seconds, Gbit/s
  tcp_peer.py send HOST PORT BYTES  connect, send BYTES, half-close, wait for the peer's close, print the same
"""
import socket, sys, time

CHUNK = 1 << 20

def report(what, n, t0):
    s = time.perf_counter() - t0
    print(f"{what} {n} {s:.4f} {n * 8 / s / 1e9:.2f} Gbit/s", flush=True)

def sink(addr, port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1)
    print("listening", flush=True)
    c, _ = ls.accept()
    t0 = time.perf_counter()
    buf = bytearray(CHUNK)
    n = 0
    while True:
        k = c.recv_into(buf)
        if k == 0:
            break
        n += k
    report("received", n, t0)
    c.close()

def send(host, port, total):
    total = int(total)
    data = memoryview(bytes(range(256)) * (CHUNK // 256))
    s = socket.create_connection((host, int(port)))
    t0 = time.perf_counter()
    left = total
    while left > 0:
        k = min(left, CHUNK)
        s.sendall(data[:k])
        left -= k
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    report("sent", total, t0)
    s.close()

if __name__ == "__main__":
    {"sink": sink, "send": send}[sys.argv[1]](*sys.argv[2:])
