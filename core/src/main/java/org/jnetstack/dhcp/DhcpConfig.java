package org.jnetstack.dhcp;

import java.time.Duration;
import java.util.Objects;
import org.jnetstack.wire.Ipv4Address;

/**
 * Settings of a {@link DhcpClient}, each with its default and its reason.
 *
 * @param hostName          sent as option 12 so the server (and its DNS) knows us; null sends none
 * @param rememberedAddress a previous lease's address: start in INIT-REBOOT asking for it (RFC 2131 §3.2); null starts in INIT
 * @param initialDelayMax   random wait before the first DISCOVER. RFC 2131 §4.4.1 asks for 1-10 s so that hosts
 *                          powering on together do not flood the server; 0 by default because an embedded stack is
 *                          usually one program starting, and a user waits for it.
 * @param retransmitInitial first retransmission timeout (4 s, RFC 2131 §4.1), doubling each time
 * @param retransmitMax     cap of the doubling (64 s, RFC 2131 §4.1); every timeout is randomized by ±1 s
 * @param requestAttempts   REQUESTs sent (REQUESTING, REBOOTING) before starting over with a DISCOVER
 * @param renewRetransmitMin least wait between REQUESTs while RENEWING or REBINDING (60 s, RFC 2131 §4.4.5)
 * @param probeCount        ARP probes sent before using an address (RFC 5227 §2.1.1 says 3); 0 skips probing
 * @param probeInterval     time between probes (RFC 5227: 1-2 s random; we use a fixed, shorter default of 0.5 s)
 * @param probeWait         wait after the last probe for a conflicting answer (RFC 5227 ANNOUNCE_WAIT is 2 s; default 1 s)
 * @param declineBackoff    wait after a DECLINE before starting over (10 s minimum, RFC 2131 §3.1.5)
 */
public record DhcpConfig(String hostName, Ipv4Address rememberedAddress, Duration initialDelayMax, Duration retransmitInitial,
                         Duration retransmitMax, int requestAttempts, Duration renewRetransmitMin, int probeCount,
                         Duration probeInterval, Duration probeWait, Duration declineBackoff) {

    public DhcpConfig {
        Objects.requireNonNull(initialDelayMax);
        for (Duration d : new Duration[] {retransmitInitial, retransmitMax, renewRetransmitMin, probeInterval, probeWait, declineBackoff}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("DHCP timeouts must be positive");
            }
        }
        if (initialDelayMax.isNegative()) {
            throw new IllegalArgumentException("initialDelayMax must not be negative");
        }
        if (requestAttempts < 1 || probeCount < 0 || probeCount > 10) {
            throw new IllegalArgumentException("requestAttempts must be >= 1 and probeCount 0-10");
        }
        if (hostName != null && (hostName.isEmpty() || hostName.length() > 255)) {
            throw new IllegalArgumentException("host name must be 1-255 characters");
        }
    }

    public static DhcpConfig defaults() {
        return new DhcpConfig(null, null, Duration.ZERO, Duration.ofSeconds(4), Duration.ofSeconds(64), 4, Duration.ofSeconds(60), 2,
                Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    public DhcpConfig withHostName(String name) {
        return new DhcpConfig(name, rememberedAddress, initialDelayMax, retransmitInitial, retransmitMax, requestAttempts,
                renewRetransmitMin, probeCount, probeInterval, probeWait, declineBackoff);
    }

    public DhcpConfig withRememberedAddress(Ipv4Address address) {
        return new DhcpConfig(hostName, address, initialDelayMax, retransmitInitial, retransmitMax, requestAttempts,
                renewRetransmitMin, probeCount, probeInterval, probeWait, declineBackoff);
    }

    public DhcpConfig withProbes(int count, Duration interval, Duration wait) {
        return new DhcpConfig(hostName, rememberedAddress, initialDelayMax, retransmitInitial, retransmitMax, requestAttempts,
                renewRetransmitMin, count, interval, wait, declineBackoff);
    }

    public DhcpConfig withInitialDelayMax(Duration max) {
        return new DhcpConfig(hostName, rememberedAddress, max, retransmitInitial, retransmitMax, requestAttempts,
                renewRetransmitMin, probeCount, probeInterval, probeWait, declineBackoff);
    }

    public DhcpConfig withRenewRetransmitMin(Duration min) {
        return new DhcpConfig(hostName, rememberedAddress, initialDelayMax, retransmitInitial, retransmitMax, requestAttempts,
                min, probeCount, probeInterval, probeWait, declineBackoff);
    }
}
