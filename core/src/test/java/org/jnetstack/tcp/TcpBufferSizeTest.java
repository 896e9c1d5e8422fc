package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** Per-connection config and buffer sizes (SO_SNDBUF / SO_RCVBUF), on the virtual clock. */
class TcpBufferSizeTest {
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualWire wire = new VirtualWire();
    final NetStack a = NetStack.builder(loop).device(wire.a()).address("10.0.0.1/24").seed(1).build();
    final NetStack b = NetStack.builder(loop).device(wire.b()).address("10.0.0.2/24").seed(2).build();
    final List<TcpConnection> accepted = new ArrayList<>();

    TcpConnection connect(TcpConfig clientConfig, TcpConfig serverConfig) {
        b.tcp().listen(0, 80, 16, serverConfig, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                accepted.add(c);
            }
        });
        TcpConnection c = a.tcp().connect(0, B, 80, clientConfig, new TcpHandler() { });
        loop.runUntil(() -> c.state() == TcpState.ESTABLISHED && !accepted.isEmpty(), 5 * SECOND);
        return c;
    }

    @Test
    void perConnectionConfigSetsBuffersAndTheWindowScaleOfTheSyn() {
        TcpConfig big = TcpConfig.defaults().withBuffers(8192, 4 << 20);
        TcpConfig small = TcpConfig.defaults().withBuffers(4096, 16384);
        TcpConnection c = connect(big, small);
        TcpConnection s = accepted.get(0);
        assertThat(c.sendBufferSize()).isEqualTo(8192);
        assertThat(c.receiveBufferSize()).isEqualTo(4 << 20);
        assertThat(c.info().receiveWindowScale()).isEqualTo(7); // 65535 << 7 >= 4 MiB
        assertThat(s.receiveBufferSize()).isEqualTo(16384);
        assertThat(s.info().receiveWindowScale()).isZero(); // fits in 16 bits
        assertThat(s.info().receiveWindow()).isEqualTo(16384);
        // The stack-wide config is untouched.
        assertThat(a.tcp().config().receiveBuffer()).isEqualTo(TcpConfig.defaults().receiveBuffer());
    }

    @Test
    void aGrownSendBufferTakesMoreAndWakesTheWriter() {
        TcpConnection c = connect(TcpConfig.defaults().withBuffers(4096, 65536), TcpConfig.defaults().withBuffers(4096, 1024));
        int[] wakeups = {0};
        c.setHandler(new TcpHandler() {
            @Override
            public void onSent(TcpConnection conn, int bytes) {
                wakeups[0]++;
            }
        });
        // The peer does not read: after its 1 KiB window, the rest stays in our buffer.
        assertThat(c.write(new byte[10_000], 0, 10_000)).isEqualTo(4096);
        loop.runFor(SECOND);
        assertThat(c.writable()).isLessThan(4096);
        int before = wakeups[0];
        int free = c.writable();
        c.setSendBufferSize(16384);
        assertThat(c.writable()).isEqualTo(free + 16384 - 4096);
        assertThat(wakeups[0]).isGreaterThan(before); // writers waiting on onSent look again
        // Shrinking never drops what the buffer holds.
        c.setSendBufferSize(1);
        assertThat(c.sendBufferSize()).isEqualTo(c.info().sendBuffered());
        assertThat(c.writable()).isZero();
    }

    @Test
    void theReceiveBufferNeverShrinksBelowTheWindowAlreadyOffered() {
        TcpConnection c = connect(TcpConfig.defaults(), TcpConfig.defaults().withBuffers(65536, 65536));
        TcpConnection s = accepted.get(0);
        long offered = s.info().receiveWindow();
        assertThat(offered).isBetween(65535L, 65536L); // the SYN-ACK's window is never scaled (RFC 7323 §2.2)
        s.setReceiveBufferSize(1000); // RFC 9293 §3.8.6.2.2: the right edge must not move left
        assertThat((long) s.receiveBufferSize()).isEqualTo(offered);
        // The peer may still fill the whole window it was offered, and every byte is kept.
        byte[] data = new byte[65536];
        new java.util.Random(3).nextBytes(data);
        int sent = c.write(data, 0, data.length);
        loop.runFor(SECOND);
        // Up to the window's scaling grain (RFC 7323 §2.3), all that was offered is held.
        assertThat((long) s.readable()).isGreaterThanOrEqualTo(offered - (1 << s.info().receiveWindowScale()));
        byte[] got = new byte[sent];
        int n = 0;
        while (n < sent) {
            n += s.read(got, n, sent - n);
            loop.runFor(SECOND);
        }
        assertThat(got).isEqualTo(java.util.Arrays.copyOf(data, sent));
        // Growing works at once.
        s.setReceiveBufferSize(200_000);
        assertThat(s.receiveBufferSize()).isEqualTo(200_000);
    }

    @Test
    void listeningOnPortZeroPicksAFreePort() {
        TcpListener l1 = b.tcp().listen(0, 0, 4, TcpConfig.defaults(), l -> { });
        TcpListener l2 = b.tcp().listen(0, 0, 4, TcpConfig.defaults(), l -> { });
        assertThat(l1.port()).isPositive().isNotEqualTo(l2.port());
    }
}
