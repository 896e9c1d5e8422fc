package org.jnetstack.link;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jnetstack.wire.MacAddress;

/**
 * Opens a {@link TapDevice} whose interface is created inside another network namespace (the
 * slirp4netns / pasta role): a short-lived platform thread enters the namespace with
 * {@code setns(2)} — which moves only the calling thread — creates the TAP there, and ends. The
 * descriptor keeps working from any thread and namespace, so the stack on this side serves the
 * namespace's kernel while this process stays in its own namespace. Needs CAP_SYS_ADMIN over the
 * target namespace (root, for a namespace root made).
 */
public final class NamespaceTap {
    /** CLONE_NEWNET: setns(2) must find a network namespace behind the descriptor. */
    private static final int CLONE_NEWNET = 0x40000000;

    private NamespaceTap() {
    }

    /**
     * The network namespace {@code spec} names: a path (a bind mount such as
     * {@code /run/netns/NAME}, or {@code /proc/PID/ns/net}), or a process id.
     */
    public static Path namespacePath(String spec) {
        Objects.requireNonNull(spec, "namespace");
        if (!spec.isEmpty() && spec.chars().allMatch(Character::isDigit)) {
            return Path.of("/proc", spec, "ns", "net");
        }
        return Path.of(spec);
    }

    /** Creates the TAP {@code name} (or attaches to it) inside the network namespace at {@code netns}, with default options. */
    public static TapDevice open(Path netns, String name, MacAddress mac, int mtu) throws IOException {
        return open(netns, name, mac, mtu, TapOptions.defaults());
    }

    /** Like {@link #open(Path, String, MacAddress, int)}, with offloads and transmit thread as {@code options} say. */
    public static TapDevice open(Path netns, String name, MacAddress mac, int mtu, TapOptions options) throws IOException {
        if (!Files.exists(netns)) {
            throw new IOException("network namespace " + netns + " does not exist (give /run/netns/NAME, /proc/PID/ns/net or a PID)");
        }
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("jns-netns-open").unstarted(() -> {
            try {
                enter(netns);
                result.set(TapDevice.open(name, mac, mtu, options));
            } catch (IOException | RuntimeException e) {
                result.set(e);
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening the TAP in " + netns, e);
        }
        Object r = result.get();
        if (r instanceof TapDevice tap) {
            return tap;
        }
        if (r instanceof IOException e) {
            throw new IOException(e.getMessage() + " (inside network namespace " + netns + ")", e);
        }
        throw (RuntimeException) r;
    }

    /** Moves the calling thread into the network namespace at {@code netns}. */
    private static void enter(Path netns) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(TunCalls.CAPTURE_LAYOUT);
            int fd = TunCalls.open(state, a.allocateFrom(netns.toString()), TunCalls.O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("cannot open network namespace " + netns + ": " + TunCalls.strerror(TunCalls.errno(state)));
            }
            try {
                int r = (int) Calls.SETNS.invokeExact(state, fd, CLONE_NEWNET);
                if (r < 0) {
                    int errno = TunCalls.errno(state);
                    throw new IOException("cannot enter network namespace " + netns + ": " + TunCalls.strerror(errno)
                            + (errno == TunCalls.EPERM ? " (it needs CAP_SYS_ADMIN over it: run as root)" : "")
                            + (errno == TunCalls.EINVAL ? " (not a network namespace)" : ""));
                }
            } catch (IOException e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("setns(2) call failed", e);
            } finally {
                TunCalls.close(fd);
            }
        }
    }

    private static final class Calls {
        static final MethodHandle SETNS = bind();

        @SuppressWarnings("restricted") // native access is this class's purpose; enabled in the manifest
        private static MethodHandle bind() {
            Linker linker = Linker.nativeLinker();
            MemorySegment sym = linker.defaultLookup().find("setns").orElseThrow(() ->
                    new UnsupportedOperationException("libc function setns not found: network namespaces need Linux"));
            return linker.downcallHandle(sym, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT), Linker.Option.captureCallState("errno"));
        }
    }
}
