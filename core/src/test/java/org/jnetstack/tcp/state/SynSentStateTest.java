package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.tcp.state.StateFixture.IRS;
import static org.jnetstack.testing.Nanos.MS;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.RST;
import static org.jnetstack.wire.TcpSegment.SYN;

import java.net.ConnectException;
import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.Test;

/** The active opener waiting for the peer's SYN-ACK: RFC 9293 §3.10.7.3. */
class SynSentStateTest {
    @Test
    void synAckWithAnUnacceptableAckDrawsAResetAndTheSynStands() {
        // §3.10.7.3 first: SEG.ACK =< ISS or SEG.ACK > SND.NXT: <SEQ=SEG.ACK><CTL=RST>, drop.
        StateFixture f = StateFixture.synSent();
        f.sendAt(IRS, f.iss + 1000, SYN | ACK, new byte[0], StateFixture.synOptions());
        f.expect(f.peer.takeOne(), f.iss + 1000, 0, RST);
        f.sendAt(IRS, f.iss, SYN | ACK, new byte[0], StateFixture.synOptions());
        f.expect(f.peer.takeOne(), f.iss, 0, RST);
        assertThat(f.connection.state()).isEqualTo(TcpState.SYN_SENT);
        assertThat(f.app.events).isEmpty();
    }

    @Test
    void resetWithAnUnacceptableAckIsDroppedWithoutAnswer() {
        // §3.10.7.3 first: "If the RST bit is set, discard the segment and return" (never RST a RST).
        StateFixture f = StateFixture.synSent();
        f.sendAt(IRS, f.iss + 1000, RST | ACK, new byte[0]);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void resetWithTheSynsAckRefusesTheConnection() {
        // §3.10.7.3 second: an acceptable ACK with RST: "error: connection reset", enter CLOSED.
        StateFixture f = StateFixture.synSent();
        f.sendAt(0, f.iss + 1, RST | ACK, new byte[0]);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.CLOSED);
        assertThat(f.app.error).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        assertThat(f.peer.stack.tcp().connections()).isEmpty();
    }

    @Test
    void resetWithoutAckIsDropped() {
        // §3.10.7.3 second: "If no ACK ... drop the segment and return" (RFC 5961 §3 keeps it so).
        StateFixture f = StateFixture.synSent();
        f.sendAt(IRS, 0, RST, new byte[0]);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void synAckCompletesTheHandshakeWithAnAckOfItsSyn() {
        // §3.10.7.3 fourth: SYN with acceptable ACK: ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
        StateFixture f = StateFixture.synSent();
        f.sendAt(IRS, f.iss + 1, SYN | ACK, new byte[0], StateFixture.synOptions());
        Segment ack = f.peer.takeOne();
        f.expect(ack, f.iss + 1, IRS + 1, ACK);
        assertThat(ack.window()).as("window of %s", ack).isEqualTo(ScriptedPeer.RECEIVE_BUFFER);
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(f.app.events).containsExactly("connected");
        assertThat(f.connection.info().sendWindow()).as("SND.WND from the SYN-ACK, unscaled").isEqualTo(StateFixture.PEER_WINDOW);
    }

    @Test
    void aSynWithoutAckIsASimultaneousOpen() {
        // §3.10.7.3 fourth: SYN without ACK: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>;
        // then §3.10.7.4 fifth: an acceptable ACK in SYN-RECEIVED enters ESTABLISHED.
        StateFixture f = StateFixture.synSent();
        f.sendAt(IRS, 0, SYN, new byte[0], StateFixture.synOptions());
        Segment synAck = f.peer.takeOne();
        f.expect(synAck, f.iss, IRS + 1, SYN | ACK);
        assertThat(f.connection.state()).isEqualTo(TcpState.SYN_RECEIVED);
        f.sendAt(IRS + 1, f.iss + 1, ACK, new byte[0]);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(f.app.events).containsExactly("connected");
    }

    @Test
    void segmentWithNeitherSynNorRstIsDropped() {
        // §3.10.7.3 fifth: "If neither of the SYN or RST bits is set, then drop the segment and return."
        StateFixture f = StateFixture.synSent();
        f.sendAt(IRS + 1, f.iss + 1, ACK, new byte[0]);
        f.peer.expectSilence();
        assertThat(f.connection.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void theSynIsRetransmittedUnchangedAfterTheInitialRto() {
        // RFC 6298 §2.1 (initial RTO) and §5.5: the same SYN again once the timer expires.
        StateFixture f = StateFixture.synSent();
        f.peer.runFor(f.peer.config.initialRto().toNanos() - MS);
        f.peer.expectSilence();
        f.peer.runFor(2 * MS);
        Segment again = f.peer.takeOne();
        f.expect(again, f.iss, 0, SYN);
    }
}
