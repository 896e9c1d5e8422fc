package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a hostile client does with nothing but TCP, against the appliance as a user runs it
 * ({@code jns run --tap ... --echo --admin-port 80} on a 256 MiB heap), all at the same time from
 * the kernel's side: {@value #HOLDERS} × {@value #HELD_EACH} one-byte connections to echo held
 * open (each holder from an address of its own), header bombs (an endless header line) and
 * slow clients (a request head trickled a byte at a time, never finished) against the admin
 * page. Throughout and after, a client from another address gets a fresh echo connection
 * round-trip and an answer from the admin page (any HTTP status: a 503 or 431 is an answer, a
 * timeout is not); afterwards the process ends cleanly on SIGTERM.
 *
 * <p>Every wait is a generous timeout; nothing is asserted about speed.
 */
class HostileClientsTest {
    private static final String STACK = "10.0.0.2";
    private static final String KERNEL = "10.0.0.1";
    /** The legitimate client's own address: per-source limits must not count the attackers against it. */
    private static final String PROBE = "10.0.0.3";
    private static final int HOLDERS = 8;
    private static final int HELD_EACH = 500;
    private static final int BOMBS = 2;
    private static final int SLOW = 200;
    private static final Duration ATTACK = Duration.ofSeconds(30);

    /** argv: source host port count; opens count connections (at most 100 connecting at once), sends one byte on each, holds them. */
    private static final String HOLD = """
            import errno, resource, selectors, socket, sys, time
            src, host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 64)), hard))
            sel = selectors.DefaultSelector()
            held, failed, started, inflight = [], 0, 0, {}
            deadline = time.time() + 60
            while (started < n or inflight) and time.time() < deadline:
                while started < n and len(inflight) < 100:
                    s = socket.socket()
                    s.setblocking(False)
                    s.bind((src, 0))
                    s.connect_ex((host, port))
                    inflight[s] = time.time()
                    sel.register(s, selectors.EVENT_WRITE)
                    started += 1
                for key, _ in sel.select(0.2):
                    s = key.fileobj
                    sel.unregister(s)
                    del inflight[s]
                    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                        failed += 1
                        s.close()
                        continue
                    try:
                        s.send(b'x')
                        held.append(s)
                    except OSError:
                        failed += 1
                        s.close()
                now = time.time()
                for s, t in list(inflight.items()):
                    if now - t > 10:
                        sel.unregister(s)
                        del inflight[s]
                        s.close()
                        failed += 1
            print('HELD %d FAILED %d' % (len(held), failed), flush=True)
            while True:
                time.sleep(3600)
            """;

    /** argv: source host port; an endless header line, again on a new connection whenever the server ends one. */
    private static final String BOMB = """
            import socket, sys, time
            src, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
            chunk = b'a' * 65536
            sent, conns, last = 0, 0, 0
            while True:
                try:
                    s = socket.create_connection((host, port), timeout=10, source_address=(src, 0))
                    conns += 1
                    s.sendall(b'GET / HTTP/1.1\\r\\nHost: ' + host.encode() + b'\\r\\nX-Bomb: ')
                    while True:
                        s.sendall(chunk)
                        sent += len(chunk)
                except OSError as e:
                    if time.time() - last > 5:
                        print('BOMB %d connections, %d bytes sent, last: %r' % (conns, sent, e), flush=True)
                        last = time.time()
                    time.sleep(0.1)
            """;

    /** argv: source host port count; request heads trickled a byte per connection every half second, never finished. */
    private static final String SLOW_CLIENTS = """
            import socket, sys, time
            src, host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
            head = b'GET / HTTP/1.1\\r\\nHost: ' + host.encode() + b'\\r\\n'
            def byte(i):
                if i < len(head):
                    return head[i:i + 1]
                line = b'X-Slow: 1\\r\\n'
                j = (i - len(head)) % len(line)
                return line[j:j + 1]
            conns, opened, ended, last = [], 0, 0, 0
            while True:
                for _ in range(20):
                    if len(conns) >= n:
                        break
                    try:
                        s = socket.create_connection((host, port), timeout=3, source_address=(src, 0))
                        s.setblocking(False)
                        conns.append([s, 0])
                        opened += 1
                    except OSError:
                        break
                for c in list(conns):
                    s, i = c
                    try:
                        s.send(byte(i))
                        c[1] = i + 1
                        try:
                            if s.recv(4096) == b'':
                                raise OSError('closed by the server')
                        except BlockingIOError:
                            pass
                    except OSError:
                        s.close()
                        conns.remove(c)
                        ended += 1
                if time.time() - last > 5:
                    print('SLOW %d open, %d opened, %d ended by the server' % (len(conns), opened, ended), flush=True)
                    last = time.time()
                time.sleep(0.5)
            """;

    /** argv: source host; one echo round trip on port 7 and one GET / on port 80; exit 0 when both answered. */
    private static final String PROBE_SCRIPT = """
            import socket, sys
            src, host = sys.argv[1], sys.argv[2]
            ok = True
            try:
                s = socket.create_connection((host, 7), timeout=20, source_address=(src, 0))
                s.sendall(b'still here\\n')
                s.shutdown(socket.SHUT_WR)
                data = b''
                while True:
                    b = s.recv(100)
                    if not b:
                        break
                    data += b
                s.close()
                print('ECHO %r' % data)
                ok = ok and data == b'still here\\n'
            except OSError as e:
                print('ECHO FAILED %r' % e)
                ok = False
            try:
                s = socket.create_connection((host, 80), timeout=20, source_address=(src, 0))
                s.sendall(('GET / HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' % host).encode())
                data = b''
                while b'\\r\\n' not in data:
                    b = s.recv(1024)
                    if not b:
                        break
                    data += b
                s.close()
                line = data.split(b'\\r\\n')[0].decode('latin-1')
                print('ADMIN %s' % line)
                ok = ok and line.startswith('HTTP/1.')
            except OSError as e:
                print('ADMIN FAILED %r' % e)
                ok = False
            sys.exit(0 if ok else 1)
            """;

    @TempDir
    static Path dir;

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "python3");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void echoAndTheAdminPageServeThroughHeldConnectionsHeaderBombsAndSlowClients() throws Exception {
        Path hold = KernelTcp.script(dir, "hold.py", HOLD);
        Path bomb = KernelTcp.script(dir, "bomb.py", BOMB);
        Path slow = KernelTcp.script(dir, "slow.py", SLOW_CLIENTS);
        Path probe = KernelTcp.script(dir, "probe.py", PROBE_SCRIPT);
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            // Every attacker and the legitimate client has an address of its own on the kernel's side.
            ns.exec("ip", "addr", "add", PROBE + "/24", "dev", tap);
            List<String> holders = new ArrayList<>();
            for (int i = 0; i < HOLDERS; i++) {
                holders.add("10.0.0." + (11 + i));
            }
            String bomber = "10.0.0.21";
            String trickler = "10.0.0.22";
            for (String a : concat(holders, List.of(bomber, trickler))) {
                ns.exec("ip", "addr", "add", a + "/24", "dev", tap);
            }
            Background jns = ns.spawn(Jns.command(List.of("-Xmx256m"),
                    "run", "--tap", tap, "--ip", STACK + "/24", "--echo", "--admin-port", "80"));
            jns.awaitLine(line -> line.startsWith("jns: up: "), Duration.ofSeconds(60));
            jns.awaitLine(line -> line.startsWith("jns: admin page on "), Duration.ofSeconds(30));
            CommandResult baseline = ns.run(Duration.ofSeconds(90), "python3", probe.toString(), PROBE, STACK);
            assertThat(baseline.exitStatus()).as("before the attack: " + baseline.describe()).isZero();

            List<Background> attackers = new ArrayList<>();
            for (String a : holders) {
                attackers.add(ns.spawn("python3", hold.toString(), a, STACK, "7", Integer.toString(HELD_EACH)));
            }
            for (int i = 0; i < BOMBS; i++) {
                attackers.add(ns.spawn("python3", bomb.toString(), bomber, STACK, "80"));
            }
            attackers.add(ns.spawn("python3", slow.toString(), trickler, STACK, "80", Integer.toString(SLOW)));

            // Probe while the attack goes on: each probe must be answered, one after the other.
            List<CommandResult> failed = new ArrayList<>();
            int probes = 0;
            long end = System.nanoTime() + ATTACK.toNanos();
            while (System.nanoTime() - end < 0 && jns.isAlive()) {
                CommandResult r = ns.run(Duration.ofSeconds(90), "python3", probe.toString(), PROBE, STACK);
                probes++;
                if (r.exitStatus() != 0) {
                    failed.add(r);
                }
                Thread.sleep(1000);
            }
            String attack = describe(attackers);
            for (Background b : attackers) {
                b.close();
            }
            String exited = jns.isAlive() ? "" : " (it exited with status " + jns.awaitExit(Duration.ofSeconds(10)) + ")";
            assertThat(exited).as("jns run is still running after " + ATTACK.toSeconds() + " s of attack" + exited
                    + "; the attackers said:\n" + attack + "\njns printed:\n" + jns.output()).isEmpty();
            assertThat(failed).as(probes + " probes during the attack; the attackers said:\n" + attack
                    + "\nfailed probes:\n" + failed.stream().map(CommandResult::describe).toList()).isEmpty();
            CommandResult after = ns.run(Duration.ofSeconds(90), "python3", probe.toString(), PROBE, STACK);
            assertThat(after.exitStatus()).as("after the attack: " + after.describe()).isZero();

            jns.signal("TERM");
            int status = jns.awaitExit(Duration.ofSeconds(60));
            assertThat(status).as(jns.output()).isEqualTo(143); // 128 + SIGTERM: stopped by its shutdown hook
            assertThat(jns.output()).doesNotContain("OutOfMemoryError").doesNotContain("exiting anyway")
                    .doesNotContain("network stack failed");
            System.out.printf("hostile clients: %d probes answered during %d s of attack;%n%s%n", probes,
                    ATTACK.toSeconds(), attack);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The last line each attacker printed (how many connections it holds, bytes sent, ...). */
    private static String describe(List<Background> attackers) {
        StringBuilder sb = new StringBuilder();
        for (Background b : attackers) {
            List<String> lines = b.output().lines().toList();
            sb.append("  ").append(b).append(": ").append(lines.isEmpty() ? "(nothing yet)" : lines.get(lines.size() - 1))
                    .append('\n');
        }
        return sb.toString();
    }
}
