package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.FIN;
import static org.jnetstack.wire.TcpSegment.PSH;
import static org.jnetstack.wire.TcpSegment.RST;

import java.util.List;
import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.Test;

/** The peer closed, the stack's application not yet: RFC 9293 §3.10.7.4 for CLOSE-WAIT. */
class CloseWaitStateTest {
    @Test
    void dataAfterThePeersFinIsIgnored() {
        // §3.10.7.4 seventh, CLOSE-WAIT: "This should not occur since a FIN has been received
        // from the remote side. Ignore the segment text." RCV.NXT does not move past the FIN.
        StateFixture f = StateFixture.closeWait();
        f.sendAt(f.rcvNxt, f.sndNxt, ACK | PSH, "after the end".getBytes());
        f.peer.runFor(f.peer.config.delayedAck().toNanos());
        List<Segment> answers = f.peer.take();
        for (Segment s : answers) {
            f.expectAck(s);
        }
        assertThat(f.app.received.size()).isZero();
        assertThat(f.connection.readable()).isZero();
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSE_WAIT);
    }

    @Test
    void aRetransmittedFinIsAcknowledgedAgain() {
        // §3.10.7.4 first: the FIN again lies below RCV.NXT: ACK with the current numbers;
        // eighth, CLOSE-WAIT: "Remain in the CLOSE-WAIT state."
        StateFixture f = StateFixture.closeWait();
        f.sendAt(f.rcvNxt - 1, f.sndNxt, FIN | ACK, new byte[0]);
        f.expectAck(f.peer.takeOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(f.app.events).containsExactly("connected", "eof");
    }

    @Test
    void theApplicationStillSends() {
        // CLOSE-WAIT closes only the peer's direction: a write goes out with the ACK of the FIN.
        StateFixture f = StateFixture.closeWait();
        byte[] reply = "bye".getBytes();
        f.connection.write(reply, 0, reply.length);
        f.loop().runPending();
        Segment s = f.peer.takeOne();
        f.expect(s, f.sndNxt, f.rcvNxt, ACK);
        assertThat(s.payload()).isEqualTo(reply);
    }

    @Test
    void closeSendsTheFinAndWaitsForItsAck() {
        // RFC 9293 §3.10.4 CLOSE in CLOSE-WAIT: send FIN, enter LAST-ACK (the fixture's path).
        StateFixture f = StateFixture.lastAck();
        assertThat(f.connection.state()).isEqualTo(TcpState.LAST_ACK);
    }

    @Test
    void inWindowButInexactResetDrawsAChallengeAck() {
        // RFC 5961 §3.2 applies in every synchronized state.
        StateFixture f = StateFixture.closeWait();
        f.sendAt(f.rcvNxt + 100, 0, RST, new byte[0]);
        f.expectAck(f.peer.takeOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSE_WAIT);
    }
}
