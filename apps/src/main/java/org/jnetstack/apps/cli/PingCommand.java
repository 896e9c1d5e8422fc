package org.jnetstack.apps.cli;

import org.jnetstack.apps.appliance.InterfaceAddress;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jnetstack.wire.Ipv4Address;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jns ping}: ICMP echo from the stack, printed like iputils ping(8). */
@Command(name = "ping",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        sortSynopsis = false,
        separator = " ",
        header = "Ping a host from the stack, like ping(8).",
        description = {
            "Brings the stack up on a TAP interface and sends ICMP echo requests from it to HOST, printing"
                + " replies and statistics like ping(8). Without -c it runs until interrupted (Ctrl-C).",
            "Exit status: 0 when any reply came back, 1 when none did, 2 on a usage error.",
            ""
        },
        footer = {
            "",
            "Without root, on the user-mode network (10.0.2.2 is the gateway, 10.0.2.3 its DNS forwarder):",
            "  ./jns ping -c 3 10.0.2.2",
            "Example, as root, with a TAP jns0 whose kernel side has 10.0.0.1/24 and is up:",
            "  ./jns ping --tap jns0 --ip 10.0.0.2/24 -c 3 10.0.0.1"
        })
final class PingCommand implements Callable<Integer> {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stackOptions;

    @Option(names = "-c", paramLabel = "COUNT", converter = Converters.CountConverter.class,
            description = "Stop after COUNT requests (default: until interrupted).")
    Integer count;

    @Option(names = "-i", paramLabel = "SECONDS", converter = Converters.SecondsConverter.class,
            description = "Wait SECONDS between requests (default: 1; decimals allowed, e.g. 0.2).")
    long intervalNanos = SECOND;

    @Option(names = "-s", paramLabel = "SIZE", converter = Converters.PayloadSizeConverter.class,
            description = "Bytes of data per request (default: 56, which makes 64 ICMP bytes).")
    int size = 56;

    @Option(names = "-W", paramLabel = "SECONDS", converter = Converters.SecondsConverter.class,
            description = "Wait at most SECONDS for each reply (default: 10).")
    long timeoutNanos = 10 * SECOND;

    @Parameters(paramLabel = "HOST", converter = Converters.Ipv4AddressConverter.class,
            description = "IPv4 address to ping.")
    Ipv4Address host;

    @Override
    public Integer call() throws Exception {
        stackOptions.validate();
        InterfaceAddress ip = stackOptions.ip();
        if (!stackOptions.mayReach(host)) {
            throw new ParameterException(spec.commandLine(), "Network is unreachable: " + host + " is not on the network of --ip "
                    + ip + " and no --gateway was given.");
        }
        PrintWriter out = spec.commandLine().getOut();
        PingRun.Settings settings = new PingRun.Settings(host.bits(), count == null ? 0 : count, intervalNanos, size,
                timeoutNanos, (int) (ProcessHandle.current().pid() & 0xFFFF));
        PingStatistics stats = new PingStatistics();
        int status = Main.FAILURE;
        Interruption interruption = null;
        try {
            long elapsedMillis;
            try (StackLauncher launcher = StackLauncher.start(stackOptions, "ping", null)) {
                out.println(PingStatistics.header(host.toString(), size));
                out.flush();
                PingRun run = new PingRun(launcher.stack(), launcher.loop(), settings, stats, out);
                interruption = Interruption.install(() -> launcher.loop().execute(run::stop));
                elapsedMillis = launcher.runUntilFailure(() -> {
                    launcher.loop().execute(run::start);
                    return (int) Math.min(Integer.MAX_VALUE, run.awaitFinished());
                });
            }
            for (String line : stats.summary(host.toString(), elapsedMillis)) {
                out.println(line);
            }
            out.flush();
            status = stats.receivedCount() > 0 ? 0 : Main.FAILURE;
            return status;
        } finally {
            if (interruption != null) {
                interruption.finish(status);
            }
        }
    }
}
