package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.FIN;
import static org.jnetstack.wire.TcpSegment.SYN;

import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.Test;

/** The stack's FIN is acknowledged, the peer's not yet sent: RFC 9293 §3.10.7.4 for FIN-WAIT-2. */
class FinWait2StateTest {
    @Test
    void finIsAcknowledgedAndTimeWaitBegins() {
        // §3.10.7.4 eighth, FIN-WAIT-2: "Enter the TIME-WAIT state" and ACK the FIN.
        StateFixture f = StateFixture.finWait2();
        f.send(FIN | ACK);
        f.rcvNxt++;
        f.expectAck(f.awaitOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(f.app.events).contains("eof");
    }

    @Test
    void dataIsStillDeliveredAndAcknowledged() {
        // §3.10.7.4 seventh: FIN-WAIT-2 processes text like ESTABLISHED.
        StateFixture f = StateFixture.finWait2();
        f.sendData("the rest".getBytes());
        f.expectAck(f.awaitOne());
        assertThat(f.app.received.toString()).isEqualTo("the rest");
    }

    @Test
    void synDrawsAChallengeAck() {
        // RFC 5961 §4.2: a SYN in any synchronized state: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
        StateFixture f = StateFixture.finWait2();
        f.sendAt(f.rcvNxt + 10, 0, SYN, new byte[0], StateFixture.synOptions());
        f.expectAck(f.peer.takeOne());
        assertThat(f.connection.state()).isEqualTo(TcpState.FIN_WAIT_2);
    }
}
