"""Kernel-side UDP echo client: sends one datagram of each size to HOST:PORT and checks that
the same bytes come back. Prints one line per size ("<size> ok" or "<size> FAIL: <why>") and
exits 1 if any size failed.

usage: udp_echo_client.py HOST PORT SIZE [SIZE...]
"""
import random
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
sizes = [int(s) for s in sys.argv[3:]]
failed = 0
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
sock.settimeout(3.0)
for size in sizes:
    payload = random.Random(size).randbytes(size)
    result = "FAIL: no reply after 3 tries"
    for attempt in range(3):
        sock.sendto(payload, (host, port))
        try:
            data, peer = sock.recvfrom(65535)
        except socket.timeout:
            continue
        if peer != (host, port):
            result = "FAIL: reply from %s:%d" % peer
        elif data != payload:
            diff = next((i for i in range(min(len(data), len(payload))) if data[i] != payload[i]), None)
            result = "FAIL: %d bytes back, first difference at %s" % (len(data), diff)
        else:
            result = "ok"
        break
    if result != "ok":
        failed += 1
    print(size, result, flush=True)
sys.exit(1 if failed else 0)
