package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.MS;
import static org.jnetstack.wire.TcpSegment.ACK;
import static org.jnetstack.wire.TcpSegment.FIN;
import static org.jnetstack.wire.TcpSegment.PSH;
import static org.jnetstack.wire.TcpSegment.SYN;

import org.junit.jupiter.api.Test;

/**
 * The stack closed first and acknowledged the peer's FIN: RFC 9293 §3.10.7.4 for TIME-WAIT,
 * which lasts 2 MSL (§3.4.2). Observed from outside: the stack's count of TIME-WAIT records
 * and what it answers on the wire.
 */
class TimeWaitStateTest {
    @Test
    void lastsTwoMsl() {
        StateFixture f = StateFixture.timeWait();
        long twoMsl = 2 * f.peer.config.msl().toNanos();
        assertThat(f.peer.stack.tcp().timeWaitCount()).isEqualTo(1);
        f.peer.runFor(twoMsl - MS);
        assertThat(f.peer.stack.tcp().timeWaitCount()).as("just before 2 MSL").isEqualTo(1);
        f.peer.runFor(2 * MS);
        assertThat(f.peer.stack.tcp().timeWaitCount()).as("just after 2 MSL").isZero();
        f.peer.expectSilence();
    }

    @Test
    void aRetransmittedFinIsAcknowledgedAndRestartsTwoMsl() {
        // §3.10.7.4 fifth, TIME-WAIT: "The only thing that can arrive in this state is a
        // retransmission of the remote FIN. Acknowledge it, and restart the 2 MSL timeout."
        StateFixture f = StateFixture.timeWait();
        long twoMsl = 2 * f.peer.config.msl().toNanos();
        long half = twoMsl / 2;
        f.peer.runFor(half);
        f.sendAt(f.rcvNxt - 1, f.sndNxt, FIN | ACK, new byte[0]);
        f.expectAck(f.peer.takeOne());
        f.peer.runFor(twoMsl - MS);
        assertThat(f.peer.stack.tcp().timeWaitCount()).as("1.5 x 2 MSL after entering: restarted").isEqualTo(1);
        f.peer.runFor(2 * MS);
        assertThat(f.peer.stack.tcp().timeWaitCount()).as("2 MSL after the retransmitted FIN").isZero();
    }

    @Test
    void anOldDataSegmentIsAnsweredWithTheCurrentState() {
        // §3.10.7.4 first: unacceptable (below RCV.NXT): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
        StateFixture f = StateFixture.timeWait();
        f.sendAt(f.rcvNxt - 11, f.sndNxt, ACK | PSH, new byte[10]);
        f.expectAck(f.peer.takeOne());
        assertThat(f.peer.stack.tcp().timeWaitCount()).isEqualTo(1);
    }

    @Test
    void synDrawsAChallengeAck() {
        // RFC 5961 §4.2: a SYN in a synchronized state (TIME-WAIT is one, with no listener here
        // to take a new connection) is answered with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
        StateFixture f = StateFixture.timeWait();
        f.sendAt(f.rcvNxt + 5000, 0, SYN, new byte[0], StateFixture.synOptions());
        f.expectAck(f.peer.takeOne());
        assertThat(f.peer.stack.tcp().timeWaitCount()).isEqualTo(1);
    }
}
