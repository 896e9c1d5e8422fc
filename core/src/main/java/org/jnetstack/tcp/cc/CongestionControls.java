package org.jnetstack.tcp.cc;

import java.util.List;
import java.util.Locale;

/** Congestion controllers by name, for configuration. */
public final class CongestionControls {
    /** CUBIC is the default, as in Linux and by RFC 9438's standing as a Proposed Standard. */
    public static final String DEFAULT = Cubic.NAME;
    private static final List<String> NAMES = List.of(Cubic.NAME, NewReno.NAME);

    private CongestionControls() {}

    /** The names {@link #create} accepts. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * A new, uninitialized controller ({@link CongestionControl#init} comes next).
     *
     * @param name "cubic" or "newreno" (case-insensitive); null means the default
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static CongestionControl create(String name) {
        String key = name == null ? DEFAULT : name.trim().toLowerCase(Locale.ROOT);
        return switch (key) {
            case Cubic.NAME -> new Cubic();
            case NewReno.NAME -> new NewReno();
            default -> throw new IllegalArgumentException(
                    "unknown congestion control '" + name + "'; choose one of " + String.join(", ", NAMES));
        };
    }
}
