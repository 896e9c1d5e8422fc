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
     * Whether {@link #create} accepts {@code name}: one of {@link #names()}, case and surrounding
     * blanks ignored, or null for the default. Creates nothing.
     */
    public static boolean isKnown(String name) {
        return name == null || NAMES.contains(key(name));
    }

    /**
     * {@code name} itself when {@link #isKnown}; configuration checks a name with this.
     *
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static String requireKnown(String name) {
        if (!isKnown(name)) {
            throw new IllegalArgumentException(
                    "unknown congestion control '" + name + "'; choose one of " + String.join(", ", NAMES));
        }
        return name;
    }

    /**
     * A new, uninitialized controller ({@link CongestionControl#init} comes next).
     *
     * @param name "cubic" or "newreno" (case-insensitive); null means the default
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static CongestionControl create(String name) {
        return switch (name == null ? DEFAULT : key(requireKnown(name))) {
            case Cubic.NAME -> new Cubic();
            case NewReno.NAME -> new NewReno();
            default -> throw new IllegalStateException("a known name without a controller: " + name);
        };
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
