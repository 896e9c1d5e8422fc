package org.jnetstack.link;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jnetstack.wire.MacAddress;

/**
 * A TAP inside a network namespace that an unprivileged user's own user namespace owns (made by
 * {@code unshare -rn}), as slirp4netns serves one: creating the TAP needs the user namespace's
 * CAP_NET_ADMIN, which only a process inside it has, and a multithreaded process — every JVM —
 * cannot enter a user namespace ({@code setns(2)} refuses CLONE_NEWUSER). So a helper process is
 * started inside both namespaces by {@code nsenter(1)} ({@link NamespaceTapHelper}, on this JVM's
 * class path), opens the TAP there and holds it, and this process copies the helper's descriptor
 * with {@code pidfd_getfd(2)} (Linux 5.6; allowed because the helper is this user's own child
 * process), then lets the helper end. The TAP lives while this process keeps the descriptor.
 */
public final class UserNamespaceTap {
    /** How long the helper JVM may take to start and open the TAP. */
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;

    private UserNamespaceTap() {
    }

    /**
     * Whether entering the network namespace needs its user namespace {@code userns} too: this
     * process is not root and {@code userns} is not its own (then it is a child user namespace
     * that, if this user made it, gives this user's processes inside it every capability).
     */
    public static boolean needed(Path userns) {
        try {
            return effectiveUid() != 0 && Files.exists(userns)
                    && !Files.getAttribute(userns, "unix:ino").equals(Files.getAttribute(Path.of("/proc/self/ns/user"), "unix:ino"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The user namespace of process {@code netns}'s path, when it is {@code /proc/PID/ns/net}; null otherwise. */
    public static Path userNamespaceOf(Path netns) {
        Path p = netns.normalize();
        if (p.getNameCount() == 4 && p.startsWith("/proc") && p.getName(2).toString().equals("ns")
                && p.getName(3).toString().equals("net") && p.getName(1).toString().chars().allMatch(Character::isDigit)) {
            return Path.of("/proc", p.getName(1).toString(), "ns", "user");
        }
        return null;
    }

    /** Creates the TAP {@code name} inside the network namespace {@code netns}, entering its user namespace {@code userns}. */
    public static TapDevice open(Path userns, Path netns, String name, MacAddress mac, int mtu) throws IOException {
        return open(userns, netns, name, mac, mtu, TapOptions.defaults());
    }

    /**
     * Like {@link #open(Path, Path, String, MacAddress, int)}, with {@code options}: the helper asks
     * the kernel for the offloads (TUNSETIFF, TUNSETVNETHDRSZ, TUNSETOFFLOAD belong to the
     * descriptor, so the copy keeps them), and the transmit thread is started here, on the copy.
     */
    public static TapDevice open(Path userns, Path netns, String name, MacAddress mac, int mtu, TapOptions options)
            throws IOException {
        TapDevice.validateName(name);
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--user=" + userns, "--net=" + netns, "--preserve-credentials",
                "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), NamespaceTapHelper.class.getName(), name, Integer.toString(mtu),
                Boolean.toString(options.offloads())));
        Process helper;
        try {
            helper = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run nsenter (util-linux) to enter user namespace " + userns + ": " + e.getMessage(), e);
        }
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8));
            List<String> said = new ArrayList<>();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("tap ") || line.startsWith("error ")) {
                            return line;
                        }
                        synchronized (said) {
                            said.add(line);
                        }
                    }
                    return null;
                } catch (IOException e) {
                    return null;
                }
            }, r -> Thread.ofVirtual().start(r));
            String line;
            try {
                line = answer.get(HELPER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IOException("the helper that opens the TAP in " + netns + " did not answer within " + HELPER_TIMEOUT);
            } catch (ExecutionException e) {
                throw new IOException("the helper that opens the TAP in " + netns + " failed: " + e.getCause(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while opening the TAP in " + netns, e);
            }
            if (line == null || line.startsWith("error ")) {
                String why;
                synchronized (said) {
                    why = line != null ? line.substring(6) : String.join("; ", said);
                }
                throw new IOException("cannot open TAP " + name + " inside network namespace " + netns + " (user namespace "
                        + userns + "): " + why + (line == null ? hint(why) : ""));
            }
            return adopt(helper.pid(), line, mac, mtu, options);
        } finally {
            helper.getOutputStream().close(); // the helper ends; our copy of the descriptor stays
            try {
                if (!helper.waitFor(5, TimeUnit.SECONDS)) {
                    helper.destroyForcibly();
                }
            } catch (InterruptedException e) {
                helper.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String hint(String nsenterSaid) {
        return nsenterSaid.contains("Operation not permitted")
                ? " (a user namespace can be entered by the user who made it, or by root)" : "";
    }

    /** {@code tap FD NAME VNET RX_CSUM TX_CSUM TSO TSO6 STATUS...}: copies FD out of process {@code pid}. */
    private static TapDevice adopt(long pid, String line, MacAddress mac, int mtu, TapOptions options) throws IOException {
        String[] f = line.split(" ", 9);
        if (f.length < 9) {
            throw new IOException("unexpected answer from the TAP helper: " + line);
        }
        int remoteFd = Integer.parseInt(f[1]);
        int fd = copyDescriptor(pid, remoteFd);
        LinkOffloads offloads = new LinkOffloads(Boolean.parseBoolean(f[4]), Boolean.parseBoolean(f[5]), Integer.parseInt(f[6]),
                Boolean.parseBoolean(f[7]));
        return TapDevice.adopt(fd, f[2], mac, mtu, Boolean.parseBoolean(f[3]), offloads, f[8], options);
    }

    /** pidfd_open(2) + pidfd_getfd(2): a descriptor of ours for process {@code pid}'s {@code remoteFd}. */
    private static int copyDescriptor(long pid, int remoteFd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(TunCalls.CAPTURE_LAYOUT);
            long pidfd = (long) Calls.SYSCALL2.invokeExact(state, SYS_PIDFD_OPEN, pid, 0L);
            if (pidfd < 0) {
                throw new IOException("pidfd_open(" + pid + "): " + TunCalls.strerror(TunCalls.errno(state)));
            }
            try {
                long fd = (long) Calls.SYSCALL3.invokeExact(state, SYS_PIDFD_GETFD, pidfd, (long) remoteFd, 0L);
                if (fd < 0) {
                    int errno = TunCalls.errno(state);
                    throw new IOException("pidfd_getfd: cannot copy the TAP's descriptor from the helper: " + TunCalls.strerror(errno)
                            + (errno == TunCalls.EPERM ? " (ptrace access to our own child was refused: check kernel.yama.ptrace_scope)" : ""));
                }
                return (int) fd;
            } finally {
                TunCalls.close((int) pidfd);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("syscall(2) failed", t);
        }
    }

    /** This process's effective uid, from /proc/self/status. */
    private static long effectiveUid() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("Uid:")) {
                return Long.parseLong(l.substring(4).trim().split("\\s+")[1]);
            }
        }
        return -1;
    }

    private static final class Calls {
        /** syscall(2) is variadic after the number. */
        static final MethodHandle SYSCALL2 = bind(FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        static final MethodHandle SYSCALL3 = bind(FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

        @SuppressWarnings("restricted") // native access is this class's purpose; enabled in the manifest
        private static MethodHandle bind(FunctionDescriptor fd) {
            Linker linker = Linker.nativeLinker();
            MemorySegment sym = linker.defaultLookup().find("syscall").orElseThrow(() ->
                    new UnsupportedOperationException("libc function syscall not found: user namespaces need Linux"));
            return linker.downcallHandle(sym, fd, Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
        }
    }
}
