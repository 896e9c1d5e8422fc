package org.jnetstack.apps.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code jns ping} counts, and how it prints it: the same lines, numbers and rounding as
 * iputils ping(8), so scripts and eyes used to ping read ours unchanged.
 */
final class PingStatistics {
    private long transmitted;
    private long received;
    private long errors;
    private long minMicros = Long.MAX_VALUE;
    private long maxMicros;
    private double sumMicros;
    private double sumSquaresMicros;

    void transmitted() {
        transmitted++;
    }

    void received(long rttNanos) {
        long us = Math.max(0, rttNanos / 1000);
        received++;
        minMicros = Math.min(minMicros, us);
        maxMicros = Math.max(maxMicros, us);
        sumMicros += us;
        sumSquaresMicros += (double) us * us;
    }

    /** An ICMP error came back instead of a reply (unreachable, time exceeded, ...). */
    void error() {
        errors++;
    }

    long transmittedCount() {
        return transmitted;
    }

    long receivedCount() {
        return received;
    }

    long errorCount() {
        return errors;
    }

    /** {@code PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.}: payload, and with IPv4 + ICMP headers. */
    static String header(String host, int payloadSize) {
        return header(host, host, payloadSize);
    }

    /** {@code PING www.example.com (10.0.0.1) 56(84) bytes of data.}: a name with its address. */
    static String header(String host, String address, int payloadSize) {
        return "PING " + host + " (" + address + ") " + payloadSize + "(" + (payloadSize + 28) + ") bytes of data.";
    }

    /** {@code PING fd00::1(fd00::1) 56 data bytes}: iputils' header for IPv6 (no IP header size: it has extension headers). */
    static String header6(String host, String address, int payloadSize) {
        return "PING " + host + "(" + address + ") " + payloadSize + " data bytes";
    }

    /** {@code 64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.123 ms}. */
    static String replyLine(int bytes, String from, int sequence, int ttl, long rttNanos) {
        return bytes + " bytes from " + from + ": icmp_seq=" + sequence + " ttl=" + ttl + " time=" + replyTime(rttNanos / 1000) + " ms";
    }

    /** {@code From 10.0.0.2 icmp_seq=1 Destination Host Unreachable}. */
    static String errorLine(String from, int sequence, String reason) {
        return "From " + from + " icmp_seq=" + sequence + " " + reason;
    }

    /**
     * A reply's round-trip time as ping(8) prints it: three significant decimals below 1 ms,
     * fewer as the number grows, whole milliseconds from 100 ms.
     */
    static String replyTime(long us) {
        if (us >= 100_000 - 50) {
            return Long.toString((us + 500) / 1000);
        }
        if (us >= 10_000 - 5) {
            long r = us + 50;
            return (r / 1000) + "." + ((r % 1000) / 100);
        }
        if (us >= 1000) {
            long r = us + 5;
            return (r / 1000) + "." + String.format(Locale.ROOT, "%02d", (r % 1000) / 10);
        }
        return "0." + String.format(Locale.ROOT, "%03d", us);
    }

    /** The closing block, from the blank line to the rtt line (absent when nothing came back). */
    List<String> summary(String host, long elapsedMillis) {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("--- " + host + " ping statistics ---");
        StringBuilder sb = new StringBuilder();
        sb.append(transmitted).append(" packets transmitted, ").append(received).append(" received, ");
        if (errors > 0) {
            sb.append('+').append(errors).append(" errors, ");
        }
        double loss = transmitted == 0 ? 0 : (transmitted - received) * 100.0 / transmitted;
        sb.append(percent(loss)).append("% packet loss, time ").append(elapsedMillis).append("ms");
        lines.add(sb.toString());
        if (received > 0) {
            double avg = sumMicros / received;
            // Standard deviation of the RTTs (ping(8) calls it mdev): sqrt(E[x^2] - E[x]^2).
            double mdev = Math.sqrt(Math.max(0, sumSquaresMicros / received - avg * avg));
            lines.add("rtt min/avg/max/mdev = " + millis(minMicros) + "/" + millis(avg) + "/" + millis(maxMicros)
                    + "/" + millis(mdev) + " ms");
        }
        return lines;
    }

    private static String millis(double micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    /** C's {@code %g} for a percentage: six significant digits, no trailing zeros (33.3333, 20, 0). */
    static String percent(double value) {
        if (value == 0) {
            return "0";
        }
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
