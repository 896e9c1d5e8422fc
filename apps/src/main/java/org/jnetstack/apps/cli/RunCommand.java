package org.jnetstack.apps.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jnetstack.apps.echo.TcpDiscardService;
import org.jnetstack.apps.echo.TcpEchoService;
import org.jnetstack.apps.echo.UdpEchoService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jns run}: bring the stack up and serve until SIGINT/SIGTERM. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        sortSynopsis = false,
        separator = " ",
        header = "Run the stack on a TAP interface until interrupted.",
        description = {
            "Brings the stack up on a TAP interface: it answers ARP and ping; with --echo it runs the echo"
                + " service (RFC 862) on port 7 over UDP and TCP, with --discard the TCP discard service"
                + " (RFC 863) on port 9. Prints one line when it is up, then runs until interrupted"
                + " (Ctrl-C or SIGTERM) and closes cleanly (a --pcap file is complete).",
            ""
        },
        footer = {
            "",
            "Example, as root (once the stack has created jns0, give the kernel's side of it an address):",
            "  ./jns run --tap jns0 --ip 10.0.0.2/24 --echo",
            "  ip addr add 10.0.0.1/24 dev jns0 && ip link set jns0 up && ping 10.0.0.2"
        })
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stackOptions;

    @Option(names = "--echo", description = "Run the echo service (RFC 862) on UDP and TCP port " + UdpEchoService.PORT + ".")
    boolean echo;

    @Option(names = "--discard", description = "Run the discard service (RFC 863) on TCP port " + TcpDiscardService.PORT + ".")
    boolean discard;

    @Override
    public Integer call() throws Exception {
        stackOptions.validate();
        PrintWriter out = spec.commandLine().getOut();
        StackLauncher launcher = StackLauncher.start(stackOptions, "run", stack -> {
            if (echo) {
                UdpEchoService.open(stack, UdpEchoService.PORT);
                TcpEchoService.open(stack, TcpEchoService.PORT);
            }
            if (discard) {
                TcpDiscardService.open(stack, TcpDiscardService.PORT);
            }
        });
        CountDownLatch closed = new CountDownLatch(1);
        // The JVM runs this on SIGINT/SIGTERM: stop the loop and close the stack, which completes a pcap file.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                launcher.close();
            } finally {
                closed.countDown();
            }
        }, "jns-shutdown"));
        out.println("jns: up: " + launcher.describe()
                + (echo ? "; UDP echo on port " + UdpEchoService.PORT + "; TCP echo on port " + TcpEchoService.PORT : "")
                + (discard ? "; TCP discard on port " + TcpDiscardService.PORT : "")
                + ". Ctrl-C to stop.");
        out.flush();
        closed.await();
        return 0;
    }
}
