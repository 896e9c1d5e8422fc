package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.MS;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.PSH;
import static org.jnetstack.wire.TcpSegment.RST;
import static org.jnetstack.wire.TcpSegment.SYN;

import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.Test;

/** A listener's half-open connection, SYN-ACK sent: RFC 9293 §3.10.7.4 for SYN-RECEIVED. */
class SynReceivedStateTest {
    @Test
    void unacceptableAckDrawsAResetAtThatAckAndTheHalfOpenConnectionStays() {
        // §3.10.7.4 fifth, SYN-RECEIVED: "If the segment acknowledgment is not acceptable, form a
        // reset segment <SEQ=SEG.ACK><CTL=RST> and send it."
        StateFixture f = StateFixture.synReceived();
        f.sendAt(f.rcvNxt, f.iss + 100, ACK, new byte[0]);
        f.expect(f.peer.takeOne(), f.iss + 100, 0, RST);
        assertThat(f.accepted).isEmpty();
        // The right ACK still completes the handshake.
        f.send(ACK);
        f.peer.expectSilence();
        assertThat(f.accepted).hasSize(1);
        assertThat(f.accepted.get(0).state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void acceptableAckEstablishesTheConnectionSilently() {
        // §3.10.7.4 fifth, SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT: enter ESTABLISHED.
        StateFixture f = StateFixture.synReceived();
        f.send(ACK);
        f.peer.expectSilence();
        assertThat(f.accepted).hasSize(1);
        assertThat(f.accepted.get(0).state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(f.accepted.get(0).info().sendWindow()).isEqualTo(StateFixture.PEER_WINDOW);
    }

    @Test
    void theSynAckIsRetransmittedUnchangedAfterTheInitialRto() {
        // RFC 6298 §2.1 / §5.4: the unacknowledged SYN-ACK again, same ISS, same ACK of the SYN.
        StateFixture f = StateFixture.synReceived();
        f.peer.runFor(f.peer.config.initialRto().toNanos() - MS);
        f.peer.expectSilence();
        f.peer.runFor(2 * MS);
        f.expect(f.peer.takeOne(), f.iss, f.rcvNxt, SYN | ACK);
    }

    @Test
    void dataOnTheHandshakeAckIsDeliveredAndAcknowledged() {
        // §3.10.7.4 fifth then seventh: the ACK establishes, the text is processed in ESTABLISHED.
        StateFixture f = StateFixture.synReceived();
        f.sendData("GET / HTTP/1.0\r\n\r\n".getBytes());
        assertThat(f.accepted).hasSize(1);
        f.expectAck(f.awaitOne());
        assertThat(f.app.received.toString()).isEqualTo("GET / HTTP/1.0\r\n\r\n");
    }

    @Test
    void exactResetEndsTheHalfOpenConnection() {
        // §3.10.7.4 second, SYN-RECEIVED (passive OPEN): the exact RST returns it to LISTEN;
        // an ACK for it afterwards meets the listener, which resets it (§3.10.7.2 second).
        StateFixture f = StateFixture.synReceived();
        f.sendAt(f.rcvNxt, 0, RST, new byte[0]);
        f.peer.expectSilence();
        f.sendAt(f.rcvNxt, f.sndNxt, ACK | PSH, new byte[5]);
        f.expect(f.peer.takeOne(), f.sndNxt, 0, RST);
        assertThat(f.accepted).isEmpty();
    }
}
