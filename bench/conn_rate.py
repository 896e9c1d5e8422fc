#!/usr/bin/env python3
"""Connection setups per second, for bench/gateway-forward-rate.sh:
  conn_rate.py serve ADDR PORT                       accept connections; send each one byte, then close it
  conn_rate.py connect HOST PORT SECONDS PARALLEL    PARALLEL threads, each: connect, read the byte and EOF,
                                                     close, again; prints connections/s (and failures)
  conn_rate.py hostfwd API_SOCKET HOST_PORT GUEST_PORT   ask slirp4netns (--api-socket) for a TCP forward
"""
import json, socket, sys, threading, time

def serve(addr, port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(1024)
    print("listening", flush=True)
    while True:
        c, _ = ls.accept()
        try:
            c.sendall(b"x")
        except OSError:
            pass
        c.close()

def connect(host, port, seconds, parallel):
    end = time.perf_counter() + float(seconds)
    done, failed = [0], [0]
    lock = threading.Lock()
    def run():
        ok = bad = 0
        while time.perf_counter() < end:
            try:
                s = socket.create_connection((host, int(port)), timeout=5)
                while s.recv(16):
                    pass
                s.close()
                ok += 1
            except OSError:
                bad += 1
        with lock:
            done[0] += ok
            failed[0] += bad
    t0 = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(int(parallel))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s = time.perf_counter() - t0
    print(f"{done[0] / s:.0f} conn/s ({done[0]} in {s:.1f} s, {failed[0]} failed, {parallel} parallel)", flush=True)

def hostfwd(api, host_port, guest_port):
    s = socket.socket(socket.AF_UNIX)
    s.connect(api)
    s.sendall(json.dumps({"execute": "add_hostfwd", "arguments": {"proto": "tcp", "host_addr": "127.0.0.1",
                          "host_port": int(host_port), "guest_port": int(guest_port)}}).encode())
    print(s.recv(4096).decode(), flush=True)

if __name__ == "__main__":
    {"serve": serve, "connect": connect, "hostfwd": hostfwd}[sys.argv[1]](*sys.argv[2:])
