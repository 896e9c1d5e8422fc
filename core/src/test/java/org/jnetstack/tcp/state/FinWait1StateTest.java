package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.FIN;
import static org.jnetstack.wire.TcpSegment.PSH;

import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.Test;

/** The stack closed first and its FIN is unacknowledged: RFC 9293 §3.10.7.4 for FIN-WAIT-1. */
class FinWait1StateTest {
    @Test
    void ackOfTheFinMovesToFinWait2Silently() {
        // §3.10.7.4 fifth, FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter FIN-WAIT-2".
        StateFixture f = StateFixture.finWait1();
        f.send(ACK);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.FIN_WAIT_2);
    }

    @Test
    void finThatAlsoAcknowledgesOursGoesStraightToTimeWait() {
        // §3.10.7.4 eighth, FIN-WAIT-1: "If our FIN has been ACKed ... enter the TIME-WAIT state".
        StateFixture f = StateFixture.finWait1();
        f.send(FIN | ACK);
        f.rcvNxt++;
        f.expectAck(f.awaitOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.TIME_WAIT);
    }

    @Test
    void finCrossingOursIsASimultaneousClose() {
        // §3.10.7.4 eighth, FIN-WAIT-1: FIN not acknowledging ours: enter CLOSING, ACK the FIN
        // (the ACK's SEQ is past our FIN: SND.NXT).
        StateFixture f = StateFixture.finWait1();
        f.sendAt(f.rcvNxt, f.sndNxt - 1, FIN | ACK, new byte[0]);
        f.rcvNxt++;
        Segment ack = f.awaitOne();
        f.expect(ack, f.sndNxt, f.rcvNxt, ACK);
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSING);
    }

    @Test
    void dataIsStillDeliveredAndAcknowledged() {
        // §3.10.7.4 seventh: in FIN-WAIT-1 the text is delivered; the peer may send until its FIN.
        StateFixture f = StateFixture.finWait1();
        byte[] data = "late reply".getBytes();
        f.sendAt(f.rcvNxt, f.sndNxt - 1, ACK | PSH, data); // not acknowledging the FIN
        f.rcvNxt += data.length;
        f.expectAck(f.awaitOne());
        assertThat(f.app.received.toString()).isEqualTo("late reply");
        assertThat(f.connection.state()).isEqualTo(TcpState.FIN_WAIT_1);
    }

    @Test
    void theUnacknowledgedFinIsRetransmitted() {
        // RFC 9293 §3.10.8 / RFC 6298 §5.4: the FIN occupies sequence space and is retransmitted.
        StateFixture f = StateFixture.finWait1();
        f.peer.runFor(f.peer.config.maxRto().toNanos());
        Segment again = f.peer.take().get(0);
        f.expect(again, f.sndNxt - 1, f.rcvNxt, FIN | ACK);
        assertThat(again.payload()).isEmpty();
    }

    @Test
    void anOldSegmentIsAnsweredWithTheCurrentState() {
        // §3.10.7.4 first: SEQ=SND.NXT (past the FIN) and ACK=RCV.NXT.
        StateFixture f = StateFixture.finWait1();
        f.sendAt(f.rcvNxt - 5, f.sndNxt - 1, ACK | PSH, new byte[5]);
        f.expectAck(f.peer.takeOne());
    }
}
