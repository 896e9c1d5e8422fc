package org.jnetstack.apps.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.apps.appliance.ApplianceService;
import org.jnetstack.apps.serial.SerialApplianceService;
import org.jnetstack.apps.serial.SerialBridgeOptions;
import org.jnetstack.apps.serial.SerialSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The serial console bridge's options of {@code jns run} (a picocli mixin). */
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
            description = "Output held for each slow client (default 256K); beyond it --serial-overflow applies.")
    Long queue;

    @Option(names = "--serial-overflow", paramLabel = "drop|disconnect",
            description = "When a client's queue is full: drop its oldest output (default) or disconnect it; both are counted.")
    String overflow;

    @Option(names = "--serial-telnet", description = "Speak telnet (RFC 854/856/857/858, RFC 2217 answered) so telnet clients behave.")
    boolean telnet;

    /** The bridge's TCP port when a line is given, else 0. */
    int port() {
        if (device == null && exec == null && unix == null) {
            return 0;
        }
        return port != null ? port : SerialBridgeOptions.DEFAULT_PORT;
    }

    /** Adds the bridge to the appliance's services when a line is given; usage errors (exit 2) name the problem. */
    void addTo(List<ApplianceService> services) {
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
        if (sources.isEmpty()) {
            if (port != null || input != null || scrollback != null || queue != null || overflow != null || telnet) {
                throw new ParameterException(command.commandLine(),
                        "the --serial-* options need a line: --serial PATH|-, --serial-exec CMD or --serial-unix PATH");
            }
            return;
        }
        if (sources.size() > 1) {
            throw new ParameterException(command.commandLine(), "give one serial line, not " + String.join(" and ", sources));
        }
        SerialSource source;
        SerialBridgeOptions o = SerialBridgeOptions.defaults();
        try {
            source = device != null ? (device.equals("-") ? new SerialSource.Stdio() : new SerialSource.Device(Path.of(device)))
                    : exec != null ? new SerialSource.Exec(exec) : new SerialSource.Unix(unix);
            if (port != null) {
                o = o.withPort(port);
            }
            if (input != null) {
                o = o.withInput(SerialBridgeOptions.InputPolicy.parse(input));
            }
            if (scrollback != null) {
                o = o.withScrollback(toInt(scrollback, "--serial-scrollback"));
            }
            if (queue != null) {
                o = o.withClientQueue(toInt(queue, "--serial-queue"));
            }
            if (overflow != null) {
                o = o.withOverflow(SerialBridgeOptions.OverflowPolicy.parse(overflow));
            }
            o = o.withTelnet(telnet);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
        services.add(SerialApplianceService.fixed(source, o));
    }

    private static int toInt(long v, String option) {
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " is too large: " + v);
        }
        return (int) v;
    }
}
