package org.jnetstack.apps.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The serial console bridge's options of {@code jns run} (a picocli mixin): overrides of the config file's {@code [serial]}. */
final class SerialServiceOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--serial", paramLabel = "PATH|-",
            description = "Bridge a serial line to TCP clients: a tty or pty device (set to raw mode), or - for"
                    + " standard input/output.")
    String device;

    @Option(names = "--serial-exec", paramLabel = "CMD",
            description = "Bridge a child process's standard input/output (run with sh -c), e.g. \"qemu-system-x86_64 -nographic ...\".")
    String exec;

    @Option(names = "--serial-unix", paramLabel = "PATH",
            description = "Bridge a Unix socket, e.g. the one of QEMU's -serial unix:PATH,server,nowait.")
    Path unix;

    @Option(names = "--serial-port", paramLabel = "N", converter = Converters.PortConverter.class,
            description = "The bridge's TCP port (default 1234).")
    Integer port;

    @Option(names = "--serial-input", paramLabel = "all|first|none",
            description = "Who may type into the line: every client (default), the one connected longest, or nobody.")
    String input;

    @Option(names = "--serial-scrollback", paramLabel = "SIZE", converter = Converters.ByteSizeConverter.class,
            description = "Output a new client is sent first (default 64K; 0 for none).")
    Long scrollback;

    @Option(names = "--serial-queue", paramLabel = "SIZE", converter = Converters.ByteSizeConverter.class,
            description = "Output held for each slow client (default 256K); while a reading client's queue is full the line"
                    + " waits for it (nothing is dropped).")
    Long queue;

    @Option(names = "--serial-overflow", paramLabel = "drop|disconnect",
            description = "What a stalled client gets (queue full, no progress for --serial-stall-timeout): its oldest output"
                    + " dropped until it catches up (default) or disconnected; both are counted.")
    String overflow;

    @Option(names = "--serial-stall-timeout", paramLabel = "MS",
            description = "How long a client with a full queue may make no progress before it counts as stalled (default 3000"
                    + " ms, 100-600000); also the longest it holds up the line and the other clients.")
    Long stallTimeout;

    @Option(names = "--serial-password-file", paramLabel = "FILE",
            description = "Ask clients for the password in FILE's first line (at least 8 characters) before they may type;"
                    + " without one, anyone who can reach the port types into the line.")
    Path passwordFile;

    @Option(names = "--serial-read", paramLabel = "anyone|authenticated",
            description = "With a password: who sees the line's output, every client (default) or only those who gave it.")
    String read;

    @Option(names = "--serial-telnet", description = "Speak telnet (RFC 854/856/857/858, RFC 2217 answered) so telnet clients behave.")
    boolean telnet;

    /**
     * The options as {@code [serial]} keys (they override the config file); the config reader
     * validates the result like the file. A line given here replaces the file's line.
     */
    void putOverrides(Map<String, Object> o) {
        List<String> sources = new ArrayList<>();
        if (device != null) {
            sources.add("--serial");
        }
        if (exec != null) {
            sources.add("--serial-exec");
        }
        if (unix != null) {
            sources.add("--serial-unix");
        }
        if (sources.size() > 1) {
            throw new ParameterException(command.commandLine(), "give one serial line, not " + String.join(" and ", sources));
        }
        if (!sources.isEmpty()) {
            o.put("serial.enabled", true);
            o.put("serial.device", device);
            o.put("serial.exec", exec);
            o.put("serial.unix", unix == null ? null : unix.toString());
        }
        if (port != null) {
            o.put("serial.port", port);
        }
        if (input != null) {
            o.put("serial.input", input.equals("read-only") || input.equals("readonly") ? "none" : input);
        }
        if (scrollback != null) {
            o.put("serial.scrollback", scrollback);
        }
        if (queue != null) {
            o.put("serial.queue", queue);
        }
        if (overflow != null) {
            o.put("serial.overflow", overflow.equals("drop-oldest") ? "drop" : overflow);
        }
        if (telnet) {
            o.put("serial.telnet", true);
        }
        if (stallTimeout != null) {
            o.put("serial.stall_timeout_ms", stallTimeout);
        }
        if (passwordFile != null) {
            // The password replaces the file's password or password_hash; it is never on the command line (ps shows that).
            o.put("serial.password", readPassword(passwordFile));
            o.put("serial.password_hash", null);
        }
        if (read != null) {
            o.put("serial.read", read);
        }
    }

    private String readPassword(Path file) {
        String text;
        try {
            text = java.nio.file.Files.readString(file);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new ParameterException(command.commandLine(), "cannot read the serial password file " + file + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
        String first = text.lines().findFirst().orElse("");
        if (first.length() < 8) {
            throw new ParameterException(command.commandLine(), "the serial password in " + file + " is too short: expected"
                    + " at least 8 characters on its first line");
        }
        return first;
    }
}
