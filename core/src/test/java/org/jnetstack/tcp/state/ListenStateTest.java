package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.tcp.state.StateFixture.IRS;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.PSH;
import static org.jnetstack.wire.TcpSegment.RST;
import static org.jnetstack.wire.TcpSegment.SYN;

import org.jnetstack.wire.TcpOptions;
import org.junit.jupiter.api.Test;

/** A listener and a closed port meeting each kind of segment: RFC 9293 §3.10.7.1 and §3.10.7.2. */
class ListenStateTest {
    @Test
    void rstIsIgnored() {
        // §3.10.7.2 first: "An incoming RST segment could not be valid ... return."
        StateFixture f = StateFixture.listen();
        f.sendAt(IRS, 0, RST, new byte[0]);
        f.sendAt(IRS, 12345, RST | ACK, new byte[0]);
        f.peer.expectSilence();
        assertThat(f.peer.stack.tcp().connections()).isEmpty();
    }

    @Test
    void anyAckDrawsAResetAtTheAcknowledgedNumber() {
        // §3.10.7.2 second: "Any acknowledgment is bad ... <SEQ=SEG.ACK><CTL=RST>" (no ACK bit).
        StateFixture f = StateFixture.listen();
        f.sendAt(IRS, 0x8000_1234, ACK, new byte[0]);
        f.expect(f.peer.takeOne(), 0x8000_1234, 0, RST);
        // The ACK check comes before the SYN check: a SYN-ACK to a listener is refused the same way.
        f.sendAt(IRS, 777, SYN | ACK, new byte[0], StateFixture.synOptions());
        f.expect(f.peer.takeOne(), 777, 0, RST);
        assertThat(f.peer.stack.tcp().connections()).isEmpty();
    }

    @Test
    void synDrawsSynAckWithItsOwnIsnAcknowledgingTheSyn() {
        // §3.10.7.2 third: RCV.NXT = SEG.SEQ+1, send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
        StateFixture f = StateFixture.listen();
        f.sendAt(IRS, 0, SYN, new byte[0], new TcpOptions().setMss(1000).setSackPermitted(true));
        Segment synAck = f.peer.takeOne();
        f.expect(synAck, synAck.seq(), IRS + 1, SYN | ACK);
        // The window of a SYN is never scaled (RFC 7323 §2.2): here the whole receive buffer.
        assertThat(synAck.window()).as("window of %s", synAck).isEqualTo(ScriptedPeer.RECEIVE_BUFFER);
        assertThat(synAck.mss()).as("MSS option of the SYN-ACK").isEqualTo(1460);
        assertThat(synAck.sackPermitted()).as("SACK-permitted answered (RFC 2018 §2)").isTrue();
        assertThat(synAck.windowScale()).as("no window scale unless the SYN had one (RFC 7323 §1.3)").isEqualTo(-1);
        assertThat(synAck.payload()).isEmpty();
    }

    @Test
    void segmentWithoutSynAckOrRstIsDropped() {
        // §3.10.7.2 fourth: "Any other control or text-bearing segment ... drop it and return."
        StateFixture f = StateFixture.listen();
        f.sendAt(IRS, 0, PSH, "hello".getBytes());
        f.sendAt(IRS, 0, 0, new byte[0]);
        f.peer.expectSilence();
        assertThat(f.accepted).isEmpty();
        assertThat(f.listener.queued()).isZero();
    }

    @Test
    void synToAClosedPortDrawsResetAcknowledgingIt() {
        // §3.10.7.1: no ACK bit, so <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; the SYN counts one.
        StateFixture f = StateFixture.listen();
        f.peer.send(StateFixture.PEER_PORT, 81, IRS, 0, SYN, 1000, new byte[0], null);
        Segment rst = f.peer.takeOne();
        assertThat(Segment.flagNames(rst.flags())).as("%s", rst).isEqualTo("RST|ACK");
        assertThat(rst.seq()).as("%s", rst).isZero();
        assertThat(rst.ack()).as("%s", rst).isEqualTo(IRS + 1);
        assertThat(rst.srcPort()).isEqualTo(81);
    }

    @Test
    void ackToAClosedPortDrawsResetAtThatAck() {
        // §3.10.7.1: with the ACK bit, <SEQ=SEG.ACK><CTL=RST>.
        StateFixture f = StateFixture.listen();
        f.peer.send(StateFixture.PEER_PORT, 81, IRS, 0xFFFF_FFF0, ACK | PSH, 1000, new byte[10], null);
        Segment rst = f.peer.takeOne();
        assertThat(Segment.flagNames(rst.flags())).as("%s", rst).isEqualTo("RST");
        assertThat(rst.seq()).as("%s", rst).isEqualTo(0xFFFF_FFF0);
    }
}
