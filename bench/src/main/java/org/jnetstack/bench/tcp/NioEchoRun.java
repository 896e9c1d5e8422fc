package org.jnetstack.bench.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.nio.StackSelectorProvider;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.wire.Ipv4Address;

/**
 * An echo over two stacks on a {@link VirtualWire} in one JVM, on a real-time loop on its own
 * thread, through two APIs in the same sitting: the callback API (everything on the loop thread)
 * and the java.nio provider (a selector thread serving, a blocking channel's thread as client:
 * each round trip crosses the loop and two application threads). {@code rr-1B}: one connection,
 * no Nagle, 1 byte out and the next when the echo is back; {@code bulk}: the client writes 64 KiB
 * at a time, the server reads and discards. Each figure: a warm-up of 2 s, then SECONDS measured;
 * RUNS rounds, the APIs alternating. Arguments: {@code [SECONDS [RUNS]]} (default 5 3).
 * BENCHMARKS.md §4.16.
 */
public final class NioEchoRun {
    private static final int PORT = 7;
    private static final int CHUNK = 64 * 1024;

    private NioEchoRun() {
    }

    /** Two stacks joined by a wire, the loop running on its own thread. */
    static final class Net implements AutoCloseable {
        final EventLoop loop = EventLoop.system();
        final NetStack client;
        final NetStack server;

        Net() {
            VirtualWire wire = new VirtualWire();
            TcpConfig cfg = TcpConfig.defaults().toBuilder().nagle(false).build();
            client = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).tcpConfig(cfg).build();
            server = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).tcpConfig(cfg).build();
            loop.start("bench-loop");
        }

        @Override
        public void close() {
            loop.close();
        }
    }

    /** A counter the measured side bumps; the driver reads it before and after the window. */
    static final AtomicLong count = new AtomicLong();

    static volatile boolean stop;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<String> lines = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            for (String api : new String[] {"callback", "nio"}) {
                for (String kind : new String[] {"rr-1B", "bulk"}) {
                    double v = measure(api, kind, seconds);
                    String line = String.format("run %d %-8s %-5s %,12.0f %s", run, api, kind, v,
                            kind.equals("bulk") ? "MB/s" : "round trips/s");
                    System.out.println(line);
                    lines.add(line);
                }
            }
        }
    }

    static double measure(String api, String kind, int seconds) throws Exception {
        stop = false;
        count.set(0);
        try (Net net = new Net()) {
            List<Thread> threads = api.equals("callback") ? startCallback(net, kind) : startNio(net, kind);
            Thread.sleep(2000);
            long before = count.get();
            long t0 = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            long n = count.get() - before;
            double elapsed = (System.nanoTime() - t0) / 1e9;
            stop = true;
            for (Thread t : threads) {
                t.interrupt();
                t.join(5000);
            }
            return kind.equals("bulk") ? n / elapsed / 1e6 : n / elapsed;
        }
    }

    // ------------------------------------------------------------------ the callback API, on the loop

    static List<Thread> startCallback(Net net, String kind) throws Exception {
        boolean bulk = kind.equals("bulk");
        CountDownLatch up = new CountDownLatch(1);
        net.loop.execute(() -> {
            net.server.tcp().listen(PORT, l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) {
                    c.setHandler(bulk ? new Discard() : new Echo());
                }
            });
            net.client.tcp().connect(Ipv4Address.parseBits("10.0.0.2"), PORT, bulk ? new Pump() : new Ping());
            up.countDown();
        });
        up.await();
        return List.of();
    }

    /** Server, rr: writes back what it reads. */
    static final class Echo implements TcpHandler {
        private final byte[] buf = new byte[CHUNK];

        @Override
        public void onReceive(TcpConnection c) {
            int n = c.read(buf, 0, Math.min(buf.length, c.writable()));
            if (n > 0) {
                c.write(buf, 0, n);
            }
        }
    }

    /** Client, rr: one byte, and the next when it is back. */
    static final class Ping implements TcpHandler {
        private final byte[] one = {1};

        @Override
        public void onConnected(TcpConnection c) {
            c.write(one, 0, 1);
        }

        @Override
        public void onReceive(TcpConnection c) {
            if (c.read(one, 0, 1) == 1) {
                count.incrementAndGet();
                if (!stop) {
                    c.write(one, 0, 1);
                }
            }
        }
    }

    /** Server, bulk: reads and discards, counting. */
    static final class Discard implements TcpHandler {
        private final byte[] buf = new byte[CHUNK];

        @Override
        public void onReceive(TcpConnection c) {
            int n;
            while ((n = c.read(buf, 0, buf.length)) > 0) {
                count.addAndGet(n);
            }
        }
    }

    /** Client, bulk: keeps the send buffer full. */
    static final class Pump implements TcpHandler {
        private final byte[] buf = new byte[CHUNK];

        @Override
        public void onConnected(TcpConnection c) {
            fill(c);
        }

        @Override
        public void onSent(TcpConnection c, int bytes) {
            fill(c);
        }

        private void fill(TcpConnection c) {
            while (!stop && c.writable() > 0) {
                c.write(buf, 0, Math.min(buf.length, c.writable()));
            }
        }
    }

    // ------------------------------------------------------------------ java.nio over the stack, application threads

    static List<Thread> startNio(Net net, String kind) throws Exception {
        boolean bulk = kind.equals("bulk");
        StackSelectorProvider serverSide = new StackSelectorProvider(net.server);
        ServerSocketChannel listener = serverSide.openServerSocketChannel().bind(new InetSocketAddress(PORT));
        Thread server = Thread.ofPlatform().name("nio-server").start(() -> serve(serverSide, listener, bulk));
        SocketChannel c = new StackSelectorProvider(net.client).openSocketChannel();
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.connect(new InetSocketAddress("10.0.0.2", PORT));
        Thread client = Thread.ofPlatform().name("nio-client").start(() -> {
            try (c) {
                ByteBuffer b = bulk ? ByteBuffer.allocateDirect(CHUNK) : ByteBuffer.allocateDirect(1);
                while (!stop) {
                    b.clear();
                    if (bulk) {
                        c.write(b);
                        continue;
                    }
                    c.write(b);
                    b.clear();
                    if (c.read(b) < 0) {
                        return;
                    }
                    count.incrementAndGet();
                }
            } catch (IOException e) {
                if (!stop) {
                    e.printStackTrace();
                }
            }
        });
        return List.of(client, server);
    }

    /** A selector loop: accepts, and echoes (rr) or discards (bulk) what arrives. */
    static void serve(StackSelectorProvider provider, ServerSocketChannel listener, boolean bulk) {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        try (Selector sel = provider.openSelector(); listener) {
            listener.configureBlocking(false).register(sel, SelectionKey.OP_ACCEPT);
            while (!stop) {
                sel.select(100);
                for (var it = sel.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k.isAcceptable()) {
                        SocketChannel s = listener.accept();
                        if (s != null) {
                            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            s.configureBlocking(false).register(sel, SelectionKey.OP_READ);
                        }
                    } else if (k.isReadable()) {
                        SocketChannel s = (SocketChannel) k.channel();
                        buf.clear();
                        int n = s.read(buf);
                        if (n < 0) {
                            s.close();
                        } else if (bulk) {
                            count.addAndGet(n);
                        } else {
                            buf.flip();
                            while (buf.hasRemaining()) {
                                s.write(buf); // 1 byte: the send ring always has room
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            if (!stop) {
                e.printStackTrace();
            }
        }
    }
}
