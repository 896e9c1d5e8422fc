package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TcpConfigTest {
    @Test
    void defaultsAreTheDocumentedConstants() {
        TcpConfig d = TcpConfig.defaults();
        assertThat(d.sendBuffer()).isEqualTo(256 * 1024).isEqualTo(TcpConfig.DEFAULT_SEND_BUFFER);
        assertThat(d.receiveBuffer()).isEqualTo(256 * 1024);
        assertThat(d.minRto()).isEqualTo(Duration.ofMillis(200));
        assertThat(d.maxRetries()).isEqualTo(15);
        assertThat(d.delayedAck()).isEqualTo(Duration.ofMillis(40));
        assertThat(d.keepaliveIdle()).isEqualTo(Duration.ofHours(2));
        assertThat(d.keepaliveInterval()).isEqualTo(Duration.ofSeconds(75));
        assertThat(d.keepaliveProbes()).isEqualTo(9);
        assertThat(d.congestionControl()).isEqualTo("cubic");
        assertThat(d.listenBacklog()).isEqualTo(128);
        assertThat(d.synQueue()).isEqualTo(256);
        assertThat(d.maxConnections()).isEqualTo(65536);
        assertThat(d.synCookiePeriod()).isEqualTo(Duration.ofSeconds(64));
        assertThat(d.maxHalfOpenPerSource()).isEqualTo(64);
        assertThat(d.maxTimeWaits()).isEqualTo(65536);
        assertThat(d.maxReceiveRanges()).isEqualTo(64).isEqualTo(ReceiveBuffer.DEFAULT_MAX_RANGES);
        assertThat(d.maxSackRanges()).isEqualTo(64).isEqualTo(SackScoreboard.DEFAULT_MAX_RANGES);
        assertThat(d.socketRing()).isEqualTo(64 * 1024);
    }

    @Test
    void theBuilderAndWithMethodsKeepEveryOtherField() {
        TcpConfig c = TcpConfig.defaults().toBuilder().maxReceiveRanges(8).maxSackRanges(9).socketRing(1000).build();
        TcpConfig changed = c.withBuffers(1000, 2000).withSack(false).withCongestionControl("newreno");
        assertThat(changed.maxReceiveRanges()).isEqualTo(8);
        assertThat(changed.maxSackRanges()).isEqualTo(9);
        assertThat(changed.socketRing()).isEqualTo(1000);
        assertThat(changed.sendBuffer()).isEqualTo(1000);
        assertThat(changed.receiveBuffer()).isEqualTo(2000);
        assertThat(changed.sack()).isFalse();
        assertThat(changed.congestionControl()).isEqualTo("newreno");
        assertThat(changed.withSack(true)).isEqualTo(c.withBuffers(1000, 2000).withCongestionControl("newreno"));
    }

    @Test
    void eachValueOutsideItsRangeIsRefusedNamingTheRange() {
        TcpConfig.Builder b = TcpConfig.defaults().toBuilder();
        assertThatThrownBy(() -> TcpConfig.defaults().withBuffers(0, 1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sendBuffer must be 1 byte to 1 GiB: 0");
        assertThatThrownBy(() -> TcpConfig.defaults().toBuilder().maxReceiveRanges(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxReceiveRanges must be 1-4096: 0");
        assertThatThrownBy(() -> TcpConfig.defaults().toBuilder().maxSackRanges(4097).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxSackRanges must be 1-4096: 4097");
        assertThatThrownBy(() -> TcpConfig.defaults().toBuilder().socketRing(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("socketRing must be 1 byte to 1 GiB: 0");
        assertThatThrownBy(() -> TcpConfig.defaults().toBuilder().minRto(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minRto must be a positive duration");
        assertThatThrownBy(() -> TcpConfig.defaults().toBuilder().synRetries(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("synRetries must be at least 0: -1");
        assertThatThrownBy(() -> TcpConfig.defaults().withKeepalive(Duration.ofSeconds(1), Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("keepaliveProbes must be at least 1: 0");
        assertThat(b.build()).as("a builder left alone builds the defaults").isEqualTo(TcpConfig.defaults());
    }

    @Test
    void anUnknownCongestionControlIsRefusedByTheConfigItself() {
        assertThatThrownBy(() -> TcpConfig.defaults().withCongestionControl("bbr"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bbr'")
                .hasMessageContaining("cubic, newreno");
        assertThat(TcpConfig.defaults().withCongestionControl(" NewReno ").congestionControl()).isEqualTo(" NewReno ");
    }
}
