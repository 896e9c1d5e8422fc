package org.jnetstack.apps.appliance;

import java.util.List;

/**
 * A config file, or a change to one, that cannot be accepted. The message names each bad key,
 * its value and what is accepted, one problem a line, so a human can fix them all at once.
 */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem on its own, e.g. {@code [admin] port = 70000 (line 12): expected 1-65535}. */
    public List<String> problems() {
        return problems;
    }

    /** This exception with every problem prefixed by {@code where} (a file name). */
    public ConfigException in(String where) {
        return new ConfigException(problems.stream().map(p -> where + ": " + p).toList());
    }
}
