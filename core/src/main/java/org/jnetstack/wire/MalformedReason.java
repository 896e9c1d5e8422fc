package org.jnetstack.wire;

import java.util.Locale;

/**
 * Why a received message was rejected, one enum constant per reason: {@link Malformed} for the
 * link, IP and transport headers, and one enum per application protocol (DHCP, DNS). Each
 * reason names the drop counter it is counted in.
 */
public interface MalformedReason {
    /** The enum constant's name: {@code "BAD_CHECKSUM"}. */
    String name();

    /** Lower-case name, for counters: {@code "bad_checksum"}. Built on each call: call it when setting counters up. */
    default String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
