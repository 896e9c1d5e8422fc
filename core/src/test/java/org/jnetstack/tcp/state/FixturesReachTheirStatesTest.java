package org.jnetstack.tcp.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.Test;

/**
 * Each fixture's path into its state, segment by segment (the fixtures assert every answer on
 * the way); here the state each ends in, as the connection reports it.
 */
class FixturesReachTheirStatesTest {
    @Test
    void listen() {
        StateFixture f = StateFixture.listen();
        assertThat(f.peer.stack.tcp().listeners()).containsExactly(f.listener);
        f.peer.expectSilence();
    }

    @Test
    void synReceivedHasNothingToAcceptYet() {
        StateFixture f = StateFixture.synReceived();
        assertThat(f.accepted).isEmpty();
        assertThat(f.listener.queued()).isZero();
    }

    @Test
    void eachStateOfTheActiveOpener() {
        assertThat(StateFixture.synSent().connection.state()).isEqualTo(TcpState.SYN_SENT);
        assertThat(StateFixture.established().connection.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(StateFixture.finWait1().connection.state()).isEqualTo(TcpState.FIN_WAIT_1);
        assertThat(StateFixture.finWait2().connection.state()).isEqualTo(TcpState.FIN_WAIT_2);
        assertThat(StateFixture.closing().connection.state()).isEqualTo(TcpState.CLOSING);
        assertThat(StateFixture.timeWait().connection.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(StateFixture.closeWait().connection.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(StateFixture.lastAck().connection.state()).isEqualTo(TcpState.LAST_ACK);
    }
}
