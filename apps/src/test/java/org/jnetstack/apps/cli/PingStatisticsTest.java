package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Our ping prints exactly what iputils ping(8) prints for the same numbers. */
class PingStatisticsTest {
    @Test
    void headerCountsPayloadAndPayloadWithHeaders() {
        assertThat(PingStatistics.header("10.0.0.1", 56)).isEqualTo("PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.");
        assertThat(PingStatistics.header("10.0.0.1", 8000)).isEqualTo("PING 10.0.0.1 (10.0.0.1) 8000(8028) bytes of data.");
    }

    @Test
    void replyLineLooksLikePing8() {
        assertThat(PingStatistics.replyLine(64, "10.0.0.1", 1, 64, 123_456))
                .isEqualTo("64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.123 ms");
    }

    @Test
    void replyTimeKeepsFewerDecimalsAsItGrows() {
        assertThat(PingStatistics.replyTime(45)).isEqualTo("0.045");
        assertThat(PingStatistics.replyTime(999)).isEqualTo("0.999");
        assertThat(PingStatistics.replyTime(1000)).isEqualTo("1.00");
        assertThat(PingStatistics.replyTime(1235)).isEqualTo("1.24");
        assertThat(PingStatistics.replyTime(9994)).isEqualTo("9.99");
        assertThat(PingStatistics.replyTime(9995)).isEqualTo("10.0");
        assertThat(PingStatistics.replyTime(12_345)).isEqualTo("12.3");
        assertThat(PingStatistics.replyTime(99_949)).isEqualTo("99.9");
        assertThat(PingStatistics.replyTime(99_950)).isEqualTo("100");
        assertThat(PingStatistics.replyTime(1_234_567)).isEqualTo("1235");
    }

    @Test
    void lossIsPrintedLikeCPercentG() {
        assertThat(PingStatistics.percent(0)).isEqualTo("0");
        assertThat(PingStatistics.percent(100)).isEqualTo("100");
        assertThat(PingStatistics.percent(20)).isEqualTo("20");
        assertThat(PingStatistics.percent(100.0 / 3)).isEqualTo("33.3333");
        assertThat(PingStatistics.percent(200.0 / 3)).isEqualTo("66.6667");
        assertThat(PingStatistics.percent(0.5)).isEqualTo("0.5");
    }

    @Test
    void summaryWithRepliesHasTheRttLine() {
        PingStatistics s = new PingStatistics();
        for (long us : new long[] {100, 200, 300}) {
            s.transmitted();
            s.received(us * 1000);
        }
        s.transmitted();

        assertThat(s.summary("10.0.0.1", 3004)).containsExactly(
                "",
                "--- 10.0.0.1 ping statistics ---",
                "4 packets transmitted, 3 received, 25% packet loss, time 3004ms",
                // mdev = sqrt(mean(x^2) - mean(x)^2) = sqrt(46666.7 - 40000) us = 81.6 us
                "rtt min/avg/max/mdev = 0.100/0.200/0.300/0.082 ms");
    }

    @Test
    void summaryWithoutRepliesHasNoRttLineAndCountsErrors() {
        PingStatistics s = new PingStatistics();
        s.transmitted();
        s.transmitted();
        s.error();

        assertThat(s.summary("10.0.0.9", 1001)).containsExactly(
                "",
                "--- 10.0.0.9 ping statistics ---",
                "2 packets transmitted, 0 received, +1 errors, 100% packet loss, time 1001ms");
        assertThat(s.receivedCount()).isZero();
    }

    @Test
    void errorLineNamesWhoReportedIt() {
        assertThat(PingStatistics.errorLine("10.0.0.2", 3, "Destination Host Unreachable"))
                .isEqualTo("From 10.0.0.2 icmp_seq=3 Destination Host Unreachable");
    }
}
