package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.FIN;
import static org.jnetstack.wire.TcpSegment.PSH;
import static org.jnetstack.wire.TcpSegment.SYN;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpListener;
import org.jnetstack.tcp.TcpState;
import org.jnetstack.wire.TcpOptions;

/**
 * One connection between the stack and a {@link ScriptedPeer}, brought to a state of RFC 9293
 * §3.3.2 segment by segment (smoltcp's {@code socket_established()} and friends), with both
 * sides' sequence numbers tracked from what was on the wire: {@link #sndNxt} is the stack's
 * SND.NXT as the peer saw it, {@link #rcvNxt} the stack's RCV.NXT (the peer's next sequence
 * number). Each step asserts the exact segment the stack answers with, so a fixture that
 * returns has checked the path into its state.
 *
 * <p>The stack is the active opener ({@link #synSent}) unless the state needs a listener
 * ({@link #listen}, {@link #synReceived}); the peer's initial sequence number is {@link #IRS},
 * close to 2^32 so that every test also crosses the wrap-around.
 */
final class StateFixture {
    static final int STACK_PORT = 80;
    static final int PEER_PORT = 40_000;
    /** The peer's ISN: 1000 below 2^32, so sequence numbers wrap during the tests. */
    static final int IRS = -1000;
    static final int PEER_WINDOW = 65_535;
    static final int PEER_MSS = 1460;

    final ScriptedPeer peer;
    final ScriptedPeer.App app = new ScriptedPeer.App();
    final List<TcpConnection> accepted = new ArrayList<>();
    TcpListener listener;
    TcpConnection connection;
    int stackPort;
    int peerPort;
    /** The stack's initial sequence number, from its SYN or SYN-ACK. */
    int iss;
    int sndNxt;
    int rcvNxt;

    private StateFixture(ScriptedPeer peer) {
        this.peer = peer;
    }

    // --- the fixtures, one a state ---

    /** LISTEN: a listener on port 80 that accepts into {@link #accepted}. */
    static StateFixture listen() {
        StateFixture f = new StateFixture(new ScriptedPeer());
        f.stackPort = STACK_PORT;
        f.peerPort = PEER_PORT;
        f.listener = f.peer.stack.tcp().listen(STACK_PORT, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(f.app);
                f.accepted.add(c);
            }
        });
        return f;
    }

    /** SYN-RECEIVED: the peer's SYN reached the listener, which answered SYN-ACK (not yet acknowledged). */
    static StateFixture synReceived() {
        StateFixture f = listen();
        f.peerSend(f.peerPort, IRS, 0, SYN, new byte[0], synOptions());
        Segment synAck = f.peer.takeOne();
        assertThat(synAck.flags()).as("%s", synAck).isEqualTo(SYN | ACK);
        assertThat(synAck.ack()).as("SYN-ACK acknowledges the SYN: %s", synAck).isEqualTo(IRS + 1);
        f.iss = synAck.seq();
        f.sndNxt = f.iss + 1;
        f.rcvNxt = IRS + 1;
        assertThat(f.accepted).isEmpty();
        return f;
    }

    /** SYN-SENT: the stack connected to the peer and sent its SYN (unanswered). */
    static StateFixture synSent() {
        StateFixture f = new StateFixture(new ScriptedPeer());
        f.peerPort = PEER_PORT;
        f.connection = f.peer.stack.tcp().connect(ScriptedPeer.PEER_IP, PEER_PORT, f.app);
        f.loop().runPending();
        Segment syn = f.peer.takeOne();
        assertThat(syn.flags()).as("%s", syn).isEqualTo(SYN);
        assertThat(syn.dstPort()).isEqualTo(PEER_PORT);
        f.stackPort = syn.srcPort();
        f.iss = syn.seq();
        f.sndNxt = f.iss + 1;
        assertThat(f.connection.state()).isEqualTo(TcpState.SYN_SENT);
        return f;
    }

    /** ESTABLISHED, the stack the active opener: SYN, SYN-ACK, ACK. */
    static StateFixture established() {
        StateFixture f = synSent();
        f.peerSend(f.peerPort, IRS, f.sndNxt, SYN | ACK, new byte[0], synOptions());
        f.rcvNxt = IRS + 1;
        f.expectAck(f.peer.takeOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(f.app.events).containsExactly("connected");
        return f;
    }

    /**
     * FIN-WAIT-1: established, then the application closed its output (RFC 9293's CLOSE, which
     * still lets data in) and the stack sent its FIN.
     */
    static StateFixture finWait1() {
        StateFixture f = established();
        f.connection.shutdownOutput();
        f.loop().runPending();
        Segment fin = f.peer.takeOne();
        f.expect(fin, f.sndNxt, f.rcvNxt, FIN | ACK);
        f.sndNxt++;
        assertThat(f.connection.state()).isEqualTo(TcpState.FIN_WAIT_1);
        return f;
    }

    /** FIN-WAIT-2: the peer acknowledged the stack's FIN. */
    static StateFixture finWait2() {
        StateFixture f = finWait1();
        f.send(ACK);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.FIN_WAIT_2);
        return f;
    }

    /** CLOSING: in FIN-WAIT-1 the peer's FIN crossed the stack's (simultaneous close). */
    static StateFixture closing() {
        StateFixture f = finWait1();
        f.sendAt(f.rcvNxt, f.sndNxt - 1, FIN | ACK, new byte[0]);
        f.rcvNxt++;
        f.expectAck(f.awaitOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSING);
        return f;
    }

    /** TIME-WAIT: in FIN-WAIT-2 the peer sent its FIN, which the stack acknowledged. */
    static StateFixture timeWait() {
        StateFixture f = finWait2();
        f.send(FIN | ACK);
        f.rcvNxt++;
        f.expectAck(f.awaitOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.TIME_WAIT);
        return f;
    }

    /** CLOSE-WAIT: established, then the peer's FIN, acknowledged. */
    static StateFixture closeWait() {
        StateFixture f = established();
        f.send(FIN | ACK);
        f.rcvNxt++;
        f.expectAck(f.awaitOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(f.app.events).containsExactly("connected", "eof");
        return f;
    }

    /** LAST-ACK: in CLOSE-WAIT the application closed and the stack sent its FIN. */
    static StateFixture lastAck() {
        StateFixture f = closeWait();
        f.connection.close();
        f.loop().runPending();
        f.expect(f.peer.takeOne(), f.sndNxt, f.rcvNxt, FIN | ACK);
        f.sndNxt++;
        assertThat(f.connection.state()).isEqualTo(TcpState.LAST_ACK);
        return f;
    }

    // --- the peer's moves ---

    /** MSS and SACK-permitted: what the peer's SYN and SYN-ACK offer. */
    static TcpOptions synOptions() {
        return new TcpOptions().setMss(PEER_MSS).setSackPermitted(true);
    }

    /** A segment at the peer's next sequence number acknowledging everything the stack sent. */
    void send(int flags) {
        sendAt(rcvNxt, sndNxt, flags, new byte[0]);
    }

    /** Data at the peer's next sequence number (ACK|PSH), acknowledging everything; advances {@link #rcvNxt}. */
    void sendData(byte[] data) {
        sendAt(rcvNxt, sndNxt, ACK | PSH, data);
        rcvNxt += data.length;
    }

    void sendAt(int seq, int ack, int flags, byte[] payload) {
        peerSend(peerPort, seq, ack, flags, payload, null);
    }

    void sendAt(int seq, int ack, int flags, byte[] payload, TcpOptions options) {
        peerSend(peerPort, seq, ack, flags, payload, options);
    }

    private void peerSend(int fromPort, int seq, int ack, int flags, byte[] payload, TcpOptions options) {
        peer.send(fromPort, stackPort, seq, ack, flags, PEER_WINDOW, payload, options);
    }

    // --- what the stack answers ---

    /** The one segment the stack sends now, or within its delayed-ACK time (RFC 1122 §4.2.3.2). */
    Segment awaitOne() {
        List<Segment> now = peer.take();
        if (!now.isEmpty()) {
            assertThat(now).as("segments the stack sent").hasSize(1);
            return now.get(0);
        }
        peer.runFor(peer.config.delayedAck().toNanos());
        return peer.takeOne();
    }

    /** Asserts a bare ACK carrying the stack's current SND.NXT and RCV.NXT. */
    void expectAck(Segment s) {
        expect(s, sndNxt, rcvNxt, ACK);
        assertThat(s.payload()).as("payload of %s", s).isEmpty();
    }

    /** Asserts exact sequence number, acknowledgment number (when ACK is set) and flags (PSH aside). */
    void expect(Segment s, int seq, int ack, int flags) {
        assertThat(Segment.flagNames(s.flags() & ~PSH)).as("flags of %s", s)
                .isEqualTo(Segment.flagNames(flags));
        assertThat(Integer.toUnsignedString(s.seq())).as("SEQ of %s", s).isEqualTo(Integer.toUnsignedString(seq));
        if ((flags & ACK) != 0) {
            assertThat(Integer.toUnsignedString(s.ack())).as("ACK of %s", s).isEqualTo(Integer.toUnsignedString(ack));
        }
        assertThat(s.srcPort()).isEqualTo(stackPort);
        assertThat(s.dstPort()).isEqualTo(peerPort);
    }

    EventLoop loop() {
        return peer.loop;
    }
}
