package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.FIN;

import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.Test;

/** Both FINs sent, the stack's not acknowledged (simultaneous close): RFC 9293 §3.10.7.4 for CLOSING. */
class ClosingStateTest {
    @Test
    void ackOfTheFinEntersTimeWaitSilently() {
        // §3.10.7.4 fifth, CLOSING: "if the ACK acknowledges our FIN, then enter the TIME-WAIT state".
        StateFixture f = StateFixture.closing();
        f.send(ACK);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.TIME_WAIT);
    }

    @Test
    void anAckShortOfTheFinIsIgnored() {
        // §3.10.7.4 fifth, CLOSING: "otherwise, ignore the segment".
        StateFixture f = StateFixture.closing();
        f.sendAt(f.rcvNxt, f.sndNxt - 1, ACK, new byte[0]);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSING);
    }

    @Test
    void theFinIsRetransmittedUntilAcknowledged() {
        // The FIN is still unacknowledged: retransmitted with SEQ one below SND.NXT, ACK of theirs.
        StateFixture f = StateFixture.closing();
        f.peer.runFor(f.peer.config.maxRto().toNanos());
        Segment again = f.peer.take().get(0);
        f.expect(again, f.sndNxt - 1, f.rcvNxt, FIN | ACK);
    }

    @Test
    void aRetransmittedFinFromThePeerIsAcknowledgedAgain() {
        // §3.10.7.4 first: the FIN again (below RCV.NXT) is unacceptable: ACK of the current state;
        // eighth: CLOSING remains.
        StateFixture f = StateFixture.closing();
        f.sendAt(f.rcvNxt - 1, f.sndNxt - 1, FIN | ACK, new byte[0]);
        f.expectAck(f.peer.takeOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSING);
    }
}
