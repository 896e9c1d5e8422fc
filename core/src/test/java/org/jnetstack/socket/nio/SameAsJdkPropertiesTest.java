package org.jnetstack.socket.nio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jnetstack.socket.TwoHosts;

/**
 * The same random sequence of channel and selector operations, run against our provider (two
 * stacks on a virtual wire) and against the JDK's default provider (the kernel's loopback),
 * must give the same observable results: values returned, bytes read, exceptions, ready sets.
 *
 * <p>Results must not depend on timing, so the sequence waits where a kernel would need time:
 * before a read or a selection that expects bytes or a FIN in flight (the test's model of the
 * two directions says which), it selects until they are there. Writes are small (the buffers
 * never fill), so a non-blocking write always takes everything. Operations whose outcome is
 * timing on a real network are skipped in both runs (logged as such): a close or shutdownInput
 * with bytes possibly in flight toward it, and writes toward a peer that closed or shut its
 * input (discarded, or answered with RST — on the kernel's loopback every byte has arrived by
 * the time the write returns, between two stacks it may still be on the wire).
 */
class SameAsJdkPropertiesTest {
    /** Which end of the connection: the client's channel (0) or the accepted one (1). */
    sealed interface Op permits Write, Read, ShutdownOutput, ShutdownInput, Select, Close {
    }

    record Write(int side, int bytes, boolean direct) implements Op {
    }

    record Read(int side, int size, boolean direct, boolean scatter) implements Op {
    }

    record ShutdownOutput(int side) implements Op {
    }

    record ShutdownInput(int side) implements Op {
    }

    record Select(int side, int interest) implements Op {
    }

    record Close(int side) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> sequences() {
        Arbitrary<Integer> side = Arbitraries.integers().between(0, 1);
        Arbitrary<Op> write = Combinators.combine(side, Arbitraries.integers().between(1, 1000), Arbitraries.of(true, false))
                .as(Write::new);
        Arbitrary<Op> read = Combinators.combine(side, Arbitraries.integers().between(1, 1500), Arbitraries.of(true, false),
                Arbitraries.of(true, false)).as(Read::new);
        Arbitrary<Op> select = Combinators.combine(side, Arbitraries.of(SelectionKey.OP_READ, SelectionKey.OP_WRITE,
                SelectionKey.OP_READ | SelectionKey.OP_WRITE)).as(Select::new);
        Arbitrary<Op> shutOut = side.map(ShutdownOutput::new);
        Arbitrary<Op> shutIn = side.map(ShutdownInput::new);
        Arbitrary<Op> close = side.map(Close::new);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, write), net.jqwik.api.Tuple.of(6, read),
                net.jqwik.api.Tuple.of(5, select), net.jqwik.api.Tuple.of(1, shutOut), net.jqwik.api.Tuple.of(1, shutIn),
                net.jqwik.api.Tuple.of(1, close))
                .list().ofMinSize(1).ofMaxSize(30);
    }

    @Property(tries = 100, seed = "20261207")
    void ourProviderBehavesAsTheJdksDefaultProvider(@ForAll("sequences") List<Op> ops) throws Exception {
        List<String> jdk;
        try (Ends ends = Ends.open(SelectorProvider.provider(), SelectorProvider.provider(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            jdk = run(ends, ops);
        }
        List<String> ours;
        try (TwoHosts net = new TwoHosts(); Ends ends = Ends.open(new StackSelectorProvider(net.client),
                new StackSelectorProvider(net.server), new InetSocketAddress(0))) {
            ours = run(ends, ops);
        }
        assertThat(ours).as("ops %s", ops).isEqualTo(jdk);
    }

    // ------------------------------------------------------------------ socket options

    /** The channels options are tried on: an unconnected and a connected SocketChannel, a server channel, a datagram channel. */
    static final String[] TARGETS = {"socket", "connected", "server", "datagram"};

    /** The standard options either provider might support; multicast ones are left out (see {@link #comparable}). */
    static final List<SocketOption<?>> OPTIONS = List.of(StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_LINGER, StandardSocketOptions.IP_TOS,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_BROADCAST);

    /** {@code value} null: getOption; otherwise setOption with it. */
    record OptionOp(int target, SocketOption<?> option, Object value) {
        @Override
        public String toString() {
            return TARGETS[target] + (value == null ? " get " + option : " set " + option + "=" + value);
        }
    }

    @Provide
    Arbitrary<List<OptionOp>> optionSequences() {
        Arbitrary<Integer> target = Arbitraries.integers().between(0, TARGETS.length - 1);
        Arbitrary<SocketOption<?>> option = Arbitraries.of(OPTIONS);
        Arbitrary<Integer> ints = Arbitraries.of(-5, -1, 0, 1, 3, 7, 0x2E << 2, 0xB9, 255, 256, 4096, 65535, 70000);
        Arbitrary<OptionOp> op = Combinators.combine(target, option, Arbitraries.integers().between(0, 2), ints, Arbitraries.of(true, false))
                .as((t, o, get, i, b) -> new OptionOp(t, o, get == 0 ? null : o.type() == Boolean.class ? b : i));
        return op.list().ofMinSize(1).ofMaxSize(25);
    }

    /**
     * setOption and getOption of the standard options on each kind of channel: the same supported
     * sets, values kept (IP_TOS without the ECN bits on TCP, SO_LINGER capped at 65535),
     * exceptions for bad values and unsupported options. Buffer sizes are compared by outcome
     * only (a kernel doubles and rounds what it is given).
     */
    @Property(tries = 60, seed = "20261207")
    void optionsBehaveAsTheJdksDefaultProvider(@ForAll("optionSequences") List<OptionOp> ops) throws Exception {
        List<String> jdk;
        try (OptionEnds ends = OptionEnds.open(SelectorProvider.provider(), SelectorProvider.provider(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            jdk = runOptions(ends, ops);
        }
        List<String> ours;
        try (TwoHosts net = new TwoHosts(); OptionEnds ends = OptionEnds.open(new StackSelectorProvider(net.client),
                new StackSelectorProvider(net.server), new InetSocketAddress(0))) {
            ours = runOptions(ends, ops);
        }
        assertThat(ours).as("ops %s", ops).isEqualTo(jdk);
    }

    record OptionEnds(NetworkChannel[] targets, Ends pair) implements AutoCloseable {
        static OptionEnds open(SelectorProvider client, SelectorProvider server, InetSocketAddress bindTo) throws IOException {
            Ends pair = Ends.open(client, server, bindTo);
            return new OptionEnds(new NetworkChannel[] {client.openSocketChannel(), pair.ch()[0], server.openServerSocketChannel(),
                    client.openDatagramChannel()}, pair);
        }

        @Override
        public void close() throws IOException {
            for (NetworkChannel c : targets) {
                c.close();
            }
            pair.close();
        }
    }

    /** The JDK's supported options that can be compared: the standard ones but SO_REUSEPORT and multicast (neither offered by ours). */
    static java.util.SortedSet<String> comparable(Set<SocketOption<?>> supported) {
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        for (SocketOption<?> o : supported) {
            if (o.getClass() == StandardSocketOptions.SO_LINGER.getClass() && o != StandardSocketOptions.SO_REUSEPORT
                    && !o.name().startsWith("IP_MULTICAST")) {
                names.add(o.name());
            }
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    static List<String> runOptions(OptionEnds e, List<OptionOp> ops) {
        List<String> log = new ArrayList<>();
        for (NetworkChannel c : e.targets()) {
            log.add("supported " + comparable(c.supportedOptions()));
        }
        for (OptionOp op : ops) {
            NetworkChannel c = e.targets()[op.target()];
            String result;
            boolean buffer = op.option() == StandardSocketOptions.SO_RCVBUF || op.option() == StandardSocketOptions.SO_SNDBUF;
            try {
                if (op.value() == null) {
                    Object v = c.getOption(op.option());
                    result = buffer ? "a size" : String.valueOf(v);
                } else {
                    c.setOption((SocketOption<Object>) op.option(), op.value());
                    result = "ok";
                }
            } catch (IOException | RuntimeException ex) {
                result = ex.getClass().getSimpleName();
            }
            log.add(op + " -> " + result);
        }
        return log;
    }

    /** Two connected non-blocking channels, each with its own selector. */
    record Ends(SocketChannel[] ch, Selector[] sel, SelectionKey[] key, ServerSocketChannel listener) implements AutoCloseable {
        static Ends open(SelectorProvider client, SelectorProvider server, InetSocketAddress bindTo) throws IOException {
            ServerSocketChannel l = server.openServerSocketChannel();
            l.bind(bindTo);
            int port = ((InetSocketAddress) l.getLocalAddress()).getPort();
            InetAddress to = bindTo.getAddress().isAnyLocalAddress() ? TwoHosts.serverIp() : bindTo.getAddress();
            SocketChannel c = client.openSocketChannel();
            c.connect(new InetSocketAddress(to, port));
            SocketChannel s = l.accept();
            SocketChannel[] ch = {c, s};
            Selector[] sel = {client.openSelector(), server.openSelector()};
            SelectionKey[] key = new SelectionKey[2];
            for (int i = 0; i < 2; i++) {
                ch[i].configureBlocking(false);
                key[i] = ch[i].register(sel[i], 0);
            }
            return new Ends(ch, sel, key, l);
        }

        @Override
        public void close() throws IOException {
            for (int i = 0; i < 2; i++) {
                sel[i].close();
                ch[i].close();
            }
            listener.close();
        }
    }

    /** The model: what each direction has in flight, so the run knows where to wait. */
    static final class Direction {
        long written;   // bytes written into this direction
        long read;      // bytes read out of it
        boolean fin;    // the writer shut its output down
        boolean readerShut; // the reader shut its input down
        boolean eofSeen;
        boolean readerClosed; // the reader closed its channel

        long pending() {
            return written - read;
        }
    }

    static byte pattern(long offset) {
        return (byte) (offset * 31 + 7);
    }

    static List<String> run(Ends e, List<Op> ops) throws Exception {
        List<String> log = new ArrayList<>();
        Direction[] toward = {new Direction(), new Direction()}; // toward[i]: bytes that side i reads
        for (Op op : ops) {
            String result;
            try {
                result = switch (op) {
                    case Write w when toward[1 - w.side()].readerClosed || toward[1 - w.side()].readerShut -> {
                        // The peer closed or shut its input: it discards the data, or answers it with
                        // RST once both its directions are shut; which, and whether the RST is back
                        // before the next write, is timing on a real network (on loopback it is not).
                        yield "skipped";
                    }
                    case Write w -> {
                        Direction d = toward[1 - w.side()];
                        ByteBuffer b = w.direct() ? ByteBuffer.allocateDirect(w.bytes()) : ByteBuffer.allocate(w.bytes());
                        for (int i = 0; i < w.bytes(); i++) {
                            b.put(pattern(d.written + i));
                        }
                        b.flip();
                        int n = e.ch()[w.side()].write(b);
                        d.written += n;
                        yield "wrote " + n;
                    }
                    case Read r -> read(e, r, toward[r.side()]);
                    case ShutdownOutput s -> {
                        e.ch()[s.side()].shutdownOutput();
                        toward[1 - s.side()].fin = true;
                        yield "ok";
                    }
                    case ShutdownInput s when toward[s.side()].pending() > 0 && !toward[s.side()].readerShut
                            && !toward[s.side()].readerClosed -> {
                        // Bytes may still be in flight: whether they arrive before the input is shut
                        // (discarded) or after both directions are (RST) is timing. Not compared.
                        yield "skipped";
                    }
                    case ShutdownInput s -> {
                        e.ch()[s.side()].shutdownInput();
                        toward[s.side()].readerShut = true;
                        yield "ok";
                    }
                    case Select s -> select(e, s, toward[s.side()]);
                    case Close c when toward[c.side()].pending() > 0 && !toward[c.side()].readerShut
                            && !toward[c.side()].readerClosed -> {
                        // Unread bytes make the close a reset (RFC 1122 4.2.2.13). Whether they have
                        // arrived when close runs is timing on a real network (on loopback they have),
                        // and so is what the peer sees: not compared.
                        yield "skipped";
                    }
                    case Close c -> {
                        Direction in = toward[c.side()];
                        if (!in.readerClosed) {
                            toward[1 - c.side()].fin = true;
                            in.readerClosed = true;
                        }
                        e.ch()[c.side()].close();
                        yield "ok";
                    }
                };
            } catch (IOException | RuntimeException ex) {
                result = ex.getClass().getSimpleName();
            }
            log.add(op + " -> " + result);
        }
        return log;
    }

    /** Reads exactly what the model says is there (up to the buffer), waiting for it to arrive. */
    static String read(Ends e, Read r, Direction d) throws Exception {
        SocketChannel c = e.ch()[r.side()];
        int want = (int) Math.min(r.size(), d.pending());
        ByteBuffer[] bufs = buffers(r);
        if (d.readerShut) {
            return "read " + c.read(bufs);
        }
        if (want == 0) {
            if (d.fin) {
                awaitReadable(e, r.side());
                return "read " + c.read(bufs);
            }
            return "read " + c.read(bufs); // nothing in flight: 0 at once
        }
        long got = 0;
        StringBuilder sb = new StringBuilder();
        while (got < want) {
            awaitReadable(e, r.side());
            long n = c.read(bufs);
            if (n < 0) {
                return "early end of input after " + got;
            }
            got += n;
        }
        long check = d.read;
        for (ByteBuffer b : bufs) {
            b.flip();
            while (b.hasRemaining()) {
                if (b.get() != pattern(check++)) {
                    return "wrong byte at " + (check - 1);
                }
            }
        }
        sb.append("read ").append(got);
        d.read += got;
        return sb.toString();
    }

    /** One buffer of {@code size}, or two (scattering) whose sizes add up to it. */
    static ByteBuffer[] buffers(Read r) {
        int a = r.scatter() ? r.size() / 2 : r.size();
        ByteBuffer first = r.direct() ? ByteBuffer.allocateDirect(a) : ByteBuffer.allocate(a);
        if (!r.scatter() || r.size() - a == 0) {
            return new ByteBuffer[] {first};
        }
        return new ByteBuffer[] {first, ByteBuffer.allocate(r.size() - a)};
    }

    static void awaitReadable(Ends e, int side) throws Exception {
        awaitReady(e, side, SelectionKey.OP_READ);
    }

    /** Selects until the key has every op of {@code expected} ready (10 s at most). */
    static int awaitReady(Ends e, int side, int expected) throws Exception {
        SelectionKey k = e.key()[side];
        Selector sel = e.sel()[side];
        int before = k.interestOps();
        k.interestOps(expected);
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                sel.selectedKeys().clear();
                sel.select(100);
                int ready = sel.selectedKeys().contains(k) ? k.readyOps() : 0;
                if ((ready & expected) == expected || System.nanoTime() > deadline) {
                    return ready;
                }
            }
        } finally {
            k.interestOps(before);
        }
    }

    /** The ready set for {@code interest}, after waiting for what the model says is in flight. */
    static String select(Ends e, Select s, Direction d) throws Exception {
        boolean readExpected = d.pending() > 0 || d.fin || d.readerShut;
        if (readExpected && (s.interest() & SelectionKey.OP_READ) != 0) {
            awaitReady(e, s.side(), SelectionKey.OP_READ);
        }
        SelectionKey k = e.key()[s.side()];
        Selector sel = e.sel()[s.side()];
        k.interestOps(s.interest());
        sel.selectedKeys().clear();
        int n = sel.selectNow();
        int ready = sel.selectedKeys().contains(k) ? k.readyOps() : 0;
        k.interestOps(0);
        return "selected " + n + " ready " + ready;
    }
}
