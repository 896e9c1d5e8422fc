package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.tcp.TcpState.*;

import java.util.EnumSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** What each state of RFC 9293 §3.3.2 lets a connection do. */
class TcpStateTest {
    static EnumSet<TcpState> where(Predicate<TcpState> p) {
        EnumSet<TcpState> s = EnumSet.noneOf(TcpState.class);
        for (TcpState t : values()) {
            if (p.test(t)) {
                s.add(t);
            }
        }
        return s;
    }

    @Test
    void eachQuestionHasTheRfcsAnswer() {
        assertThat(where(TcpState::isSynchronized))
                .containsExactlyInAnyOrder(ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT);
        assertThat(where(TcpState::isLive))
                .containsExactlyInAnyOrder(ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK);
        assertThat(where(TcpState::maySend)).containsExactlyInAnyOrder(ESTABLISHED, CLOSE_WAIT);
        assertThat(where(TcpState::mayQueue)).containsExactlyInAnyOrder(SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSE_WAIT);
        assertThat(where(TcpState::mayReceive)).containsExactlyInAnyOrder(ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2);
        assertThat(where(TcpState::mayAck)).doesNotContain(CLOSED, LISTEN, SYN_SENT).contains(SYN_RECEIVED, TIME_WAIT);
        assertThat(where(TcpState::isOpening)).containsExactlyInAnyOrder(SYN_SENT, SYN_RECEIVED);
        assertThat(where(TcpState::finSentState)).containsExactlyInAnyOrder(FIN_WAIT_1, CLOSING, LAST_ACK);
        assertThat(where(TcpState::isSettled)).containsExactlyInAnyOrder(CLOSED, FIN_WAIT_2, TIME_WAIT);
    }
}
