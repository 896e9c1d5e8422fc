package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.FIN;
import static org.jnetstack.wire.TcpSegment.PSH;
import static org.jnetstack.wire.TcpSegment.RST;
import static org.jnetstack.wire.TcpSegment.SYN;

import java.net.SocketException;
import java.util.Arrays;
import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.Test;

/** A synchronized connection in ESTABLISHED: RFC 9293 §3.10.7.4 with RFC 5961's defences. */
class EstablishedStateTest {
    static byte[] bytes(int n, int first) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    @Test
    void anOldDuplicateIsAnsweredWithAnAckOfTheCurrentState() {
        // §3.10.7.4 first: an unacceptable segment draws <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
        StateFixture f = StateFixture.established();
        f.sendData(bytes(100, 0));
        f.awaitOne();
        f.sendAt(f.rcvNxt - 100, f.sndNxt, ACK | PSH, bytes(100, 0)); // all of it again
        Segment ack = f.peer.takeOne();
        f.expectAck(ack);
        assertThat(ack.window()).as("window of %s", ack).isEqualTo(ScriptedPeer.RECEIVE_BUFFER);
        assertThat(f.app.received.size()).as("delivered once").isEqualTo(100);
    }

    @Test
    void dataBeyondTheWindowIsAnsweredAndNotDelivered() {
        // §3.10.7.4 first: SEG.SEQ at or past RCV.NXT+RCV.WND is unacceptable: ACK, drop.
        StateFixture f = StateFixture.established();
        f.sendAt(f.rcvNxt + ScriptedPeer.RECEIVE_BUFFER, f.sndNxt, ACK, bytes(10, 0));
        f.expectAck(f.peer.takeOne());
        assertThat(f.app.received.size()).isZero();
        assertThat(f.connection.info().bytesReceived()).isZero();
    }

    @Test
    void exactResetEndsTheConnection() {
        // §3.10.7.4 second (RFC 5961 §3.2): SEG.SEQ = RCV.NXT: reset, "connection reset", CLOSED.
        StateFixture f = StateFixture.established();
        f.sendAt(f.rcvNxt, 0, RST, new byte[0]);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSED);
        assertThat(f.app.error).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(f.peer.stack.tcp().connections()).isEmpty();
    }

    @Test
    void inWindowButInexactResetDrawsAChallengeAck() {
        // RFC 5961 §3.2: in the window but not RCV.NXT: send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
        StateFixture f = StateFixture.established();
        f.sendAt(f.rcvNxt + 1, 0, RST, new byte[0]);
        f.expectAck(f.peer.takeOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(f.app.error).isNull();
    }

    @Test
    void resetOutsideTheWindowIsDroppedSilently() {
        // RFC 5961 §3.2: "If the RST bit is set and the sequence number is outside the current
        // receive window, silently drop the segment."
        StateFixture f = StateFixture.established();
        f.sendAt(f.rcvNxt + ScriptedPeer.RECEIVE_BUFFER + 1, 0, RST, new byte[0]);
        f.sendAt(f.rcvNxt - 1, 0, RST, new byte[0]);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void synInASynchronizedStateDrawsAChallengeAck() {
        // RFC 5961 §4.2 (RFC 9293 §3.10.7.4 fourth): any SYN, in window or not: challenge ACK,
        // the connection stays.
        StateFixture f = StateFixture.established();
        f.sendAt(f.rcvNxt, 0, SYN, new byte[0], StateFixture.synOptions());
        f.expectAck(f.peer.takeOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(f.app.error).isNull();
    }

    @Test
    void ackOfDataNeverSentIsAnsweredAndTheSegmentDropped() {
        // §3.10.7.4 fifth, ESTABLISHED: "If the ACK acks something not yet sent (SEG.ACK >
        // SND.NXT), then send an ACK, drop the segment, and return" (text not delivered).
        StateFixture f = StateFixture.established();
        f.sendAt(f.rcvNxt, f.sndNxt + 1000, ACK | PSH, bytes(20, 0));
        f.expectAck(f.peer.takeOne());
        assertThat(f.app.received.size()).isZero();
    }

    @Test
    void anAckOlderThanAnyWindowDrawsAChallengeAckAndItsDataIsDropped() {
        // RFC 5961 §5.2: SEG.ACK < SND.UNA - MAX.SND.WND is not acceptable: send an ACK
        // (<SEQ=SND.NXT><ACK=RCV.NXT>) and drop the segment, text included.
        StateFixture f = StateFixture.established();
        f.sendAt(f.rcvNxt, f.sndNxt - 200_000, ACK | PSH, bytes(30, 0));
        f.expectAck(f.peer.takeOne());
        assertThat(f.app.received.size()).isZero();
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void outOfOrderDataDrawsAnImmediateDuplicateAckWithTheSackBlock() {
        // RFC 5681 §4.2: out-of-order data is acknowledged at once (a duplicate ACK); RFC 2018 §4:
        // the block that holds the segment just received comes first.
        StateFixture f = StateFixture.established();
        f.sendAt(f.rcvNxt + 100, f.sndNxt, ACK | PSH, bytes(100, 100));
        Segment dup = f.peer.takeOne();
        f.expectAck(dup);
        assertThat(dup.sack()).as("SACK blocks of %s", dup).hasSize(1);
        assertThat(dup.sack().get(0)).containsExactly(f.rcvNxt + 100, f.rcvNxt + 200);
        // A second hole further on: its block is named first, the older one after it.
        f.sendAt(f.rcvNxt + 300, f.sndNxt, ACK | PSH, bytes(50, 44));
        Segment dup2 = f.peer.takeOne();
        f.expectAck(dup2);
        assertThat(dup2.sack()).as("SACK blocks of %s", dup2).hasSize(2);
        assertThat(dup2.sack().get(0)).containsExactly(f.rcvNxt + 300, f.rcvNxt + 350);
        assertThat(dup2.sack().get(1)).containsExactly(f.rcvNxt + 100, f.rcvNxt + 200);
        // Filling the first hole is acknowledged at once too (RFC 5681 §4.2), up to the second.
        f.sendData(bytes(100, 0));
        f.rcvNxt += 100;
        Segment filled = f.peer.takeOne();
        f.expectAck(filled);
        assertThat(filled.sack()).as("SACK blocks of %s", filled).hasSize(1);
        assertThat(filled.sack().get(0)).containsExactly(f.rcvNxt + 100, f.rcvNxt + 150);
        byte[] expected = bytes(200, 0);
        assertThat(f.app.received.toByteArray()).isEqualTo(expected);
    }

    @Test
    void aFullWindowAdvertisesZeroAndAProbeIsAnsweredWithoutTakingIt() {
        // §3.10.7.4 first: with RCV.WND = 0 no data is acceptable; the ACK of a probe carries the
        // unchanged RCV.NXT and a zero window (§3.8.6.1: the receiver still ACKs the probe).
        StateFixture f = StateFixture.established();
        f.app.reading = false;
        for (int i = 0; i < ScriptedPeer.RECEIVE_BUFFER / 1024; i++) {
            f.sendData(bytes(1024, i));
        }
        f.peer.runFor(f.peer.config.delayedAck().toNanos());
        java.util.List<Segment> acks = f.peer.take();
        Segment last = acks.get(acks.size() - 1);
        f.expectAck(last);
        assertThat(last.window()).as("window of %s", last).isZero();
        f.sendAt(f.rcvNxt, f.sndNxt, ACK, new byte[] {42});
        Segment probeAck = f.peer.takeOne();
        f.expectAck(probeAck);
        assertThat(probeAck.window()).as("window of %s", probeAck).isZero();
        assertThat(f.connection.readable()).isEqualTo(ScriptedPeer.RECEIVE_BUFFER);
    }

    @Test
    void aPeerWithAZeroWindowIsProbedAndSentToOnceItOpens() {
        // RFC 9293 §3.8.6.1 / RFC 1122 §4.2.2.17: with SND.WND = 0 nothing is sent until the
        // retransmission timeout, then a probe that makes the peer answer with its window: one
        // byte at SND.UNA, or (as Linux) an empty segment at SND.UNA - 1. Once the window opens,
        // the data goes out at SND.NXT.
        StateFixture f = StateFixture.established();
        f.peer.send(StateFixture.PEER_PORT, f.stackPort, f.rcvNxt, f.sndNxt, ACK, 0, new byte[0], null);
        f.peer.expectSilence();
        byte[] data = bytes(100, 7);
        assertThat(f.connection.write(data, 0, data.length)).isEqualTo(100);
        f.loop().runPending();
        f.peer.expectSilence();
        f.peer.runFor(f.peer.config.maxRto().toNanos());
        Segment probe = f.peer.take().get(0);
        assertThat(probe.ack()).as("ACK of %s", probe).isEqualTo(f.rcvNxt);
        boolean oneByte = probe.seq() == f.sndNxt && probe.payload().length == 1 && probe.payload()[0] == 7;
        boolean empty = probe.seq() == f.sndNxt - 1 && probe.payload().length == 0;
        assertThat(oneByte || empty).as("a probe, not %s", probe).isTrue();
        int acked = oneByte ? 1 : 0;
        f.sendAt(f.rcvNxt, f.sndNxt + acked, ACK, new byte[0]);
        Segment rest = f.peer.takeOne();
        f.expect(rest, f.sndNxt + acked, f.rcvNxt, ACK);
        assertThat(rest.payload()).isEqualTo(Arrays.copyOfRange(data, acked, data.length));
    }

    @Test
    void dataAfterAFullCloseDrawsAReset() {
        // The application closed both directions (close(), not shutdownOutput()): data arriving
        // now has no reader, so the stack resets (RFC 1122 §4.2.2.13, RFC 2525 §2.17) at SND.NXT
        // (past its FIN).
        StateFixture f = StateFixture.established();
        f.connection.close();
        f.loop().runPending();
        f.expect(f.peer.takeOne(), f.sndNxt, f.rcvNxt, FIN | ACK);
        f.sndNxt++;
        f.sendData("too late".getBytes());
        Segment rst = f.peer.takeOne();
        assertThat(rst.has(RST)).as("%s", rst).isTrue();
        assertThat(rst.seq()).as("SEQ of %s", rst).isEqualTo(f.sndNxt);
        assertThat(f.peer.stack.tcp().connections()).isEmpty();
    }

    @Test
    void finIsAcknowledgedAndTheConnectionWaitsToClose() {
        // §3.10.7.4 eighth, ESTABLISHED: advance RCV.NXT over the FIN, ACK it, enter CLOSE-WAIT.
        StateFixture f = StateFixture.established();
        f.sendAt(f.rcvNxt, f.sndNxt, FIN | ACK | PSH, bytes(10, 0));
        f.rcvNxt += 11;
        Segment ack = f.awaitOne();
        f.expectAck(ack);
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(f.app.received.toByteArray()).isEqualTo(bytes(10, 0));
        assertThat(f.app.events).containsExactly("connected", "eof");
    }

    @Test
    void dataIsDeliveredAndAcknowledgedWithTheReopenedWindow() {
        // §3.10.7.4 seventh: text to the user, RCV.NXT advanced, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
        StateFixture f = StateFixture.established();
        byte[] data = bytes(1000, 3);
        f.sendData(data);
        Segment ack = f.awaitOne();
        f.expectAck(ack);
        assertThat(ack.window()).as("window of %s (the application read it all)", ack).isEqualTo(ScriptedPeer.RECEIVE_BUFFER);
        assertThat(Arrays.equals(f.app.received.toByteArray(), data)).isTrue();
    }
}
