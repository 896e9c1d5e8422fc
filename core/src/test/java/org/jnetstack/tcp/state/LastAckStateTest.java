package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.FIN;

import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.Test;

/** Both sides closed, the stack's FIN (sent second) unacknowledged: RFC 9293 §3.10.7.4 for LAST-ACK. */
class LastAckStateTest {
    @Test
    void ackOfTheFinClosesTheConnection() {
        // §3.10.7.4 fifth, LAST-ACK: "If our FIN is now acknowledged, delete the TCB, enter the
        // CLOSED state, and return." No TIME-WAIT for the side that closed second.
        StateFixture f = StateFixture.lastAck();
        f.send(ACK);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSED);
        assertThat(f.peer.stack.tcp().connections()).isEmpty();
        assertThat(f.peer.stack.tcp().timeWaitCount()).isZero();
        assertThat(f.app.events).containsExactly("connected", "eof", "closed");
    }

    @Test
    void aRetransmittedFinIsAcknowledgedAndTheStateStays() {
        // §3.10.7.4 first (old FIN: ACK of the current state, SEQ past our FIN); eighth: remain.
        StateFixture f = StateFixture.lastAck();
        f.sendAt(f.rcvNxt - 1, f.sndNxt - 1, FIN | ACK, new byte[0]);
        f.expectAck(f.peer.takeOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.LAST_ACK);
    }

    @Test
    void theFinIsRetransmittedUntilAcknowledged() {
        StateFixture f = StateFixture.lastAck();
        f.peer.runFor(f.peer.config.maxRto().toNanos());
        Segment again = f.peer.take().get(0);
        f.expect(again, f.sndNxt - 1, f.rcvNxt, FIN | ACK);
    }
}
