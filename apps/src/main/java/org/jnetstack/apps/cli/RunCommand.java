package org.jnetstack.apps.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jnetstack.apps.admin.AdminService;
import org.jnetstack.apps.appliance.Appliance;
import org.jnetstack.apps.appliance.ApplianceConfig;
import org.jnetstack.apps.appliance.ApplianceService;
import org.jnetstack.apps.appliance.ConfigException;
import org.jnetstack.apps.appliance.ConfigFile;
import org.jnetstack.apps.appliance.EchoServices;
import org.jnetstack.link.PcapRing;
import org.jnetstack.socket.jdk.StackServerSocketFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jns run}: the appliance. Reads the config file (if any), lays the command line's
 * options over it, validates the result (nothing starts on an invalid configuration), brings the
 * stack up, starts the services, prints where they listen, and serves until SIGINT/SIGTERM.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        sortSynopsis = false,
        separator = " ",
        header = "Run the stack and its services (the appliance) until interrupted.",
        description = {
            "Brings the stack up on a TAP interface: it answers ARP and ping, and runs the services that the"
                + " config file (--config) and the options turn on: the web admin page (--admin-port), echo"
                + " (RFC 862, UDP and TCP port 7, --echo), discard (RFC 863, TCP port 9, --discard). Options"
                + " override the file. Prints one line when it is up and one per service saying where it"
                + " listens, then runs until interrupted (Ctrl-C or SIGTERM) and closes cleanly (a --pcap file"
                + " is complete).",
            ""
        },
        footer = {
            "",
            "Example, as root (once the stack has created jns0, give the kernel's side of it an address):",
            "  ./jns run --tap jns0 --ip 10.0.0.2/24 --echo",
            "  ip addr add 10.0.0.1/24 dev jns0 && ip link set jns0 up && ping 10.0.0.2",
            "With a config file (commented sample: examples/appliance.toml):",
            "  ./jns run --config examples/appliance.toml"
        })
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Read the appliance's configuration from FILE (TOML; see examples/appliance.toml)."
                    + " Options given here override it; changes from the admin page are written back to it.")
    Path config;

    @Mixin
    StackOptions stackOptions;

    @Option(names = "--echo", description = "Run the echo service (RFC 862) on UDP and TCP port 7.")
    boolean echo;

    @Option(names = "--discard", description = "Run the discard service (RFC 863) on TCP port 9.")
    boolean discard;

    @Option(names = "--admin-port", paramLabel = "N", converter = Converters.PortConverter.class,
            description = "Run the web admin page on TCP port N (80 when the config file turns it on without a port).")
    Integer adminPort;

    @Override
    public Integer call() throws Exception {
        if (config == null) {
            stackOptions.validate(); // the command line alone must name the interface and address
        }
        ConfigFile file;
        try {
            file = ConfigFile.load(config, overrides());
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), "invalid configuration:\n  "
                    + String.join("\n  ", e.problems()));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (file.hashPlainPassword()) {
            out.println("jns: replaced the admin password in " + config + " by its hash (password_hash)");
        }
        ApplianceConfig c = file.current();
        PcapRing ring = new PcapRing(c.capture().ringFrames());
        StackLauncher launcher = StackLauncher.start(link(c, ring), "run", null);
        // The admin page listens through the stack's own sockets, on every address the stack has.
        Appliance appliance = Appliance.start(file, launcher.stack(), ring, launcher.describeLink(), services(),
                StackServerSocketFactory.of(launcher.stack()), InetAddress.getByAddress(new byte[4]));
        CountDownLatch closed = new CountDownLatch(1);
        // The JVM runs this on SIGINT/SIGTERM: stop the services, then the loop and the stack, which completes a pcap file.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                appliance.close();
                launcher.close();
            } finally {
                closed.countDown();
            }
        }, "jns-shutdown"));
        out.println("jns: up: " + launcher.describe() + ". Ctrl-C to stop.");
        for (String l : appliance.listening()) {
            out.println("jns: " + l);
        }
        PrintWriter err = spec.commandLine().getErr();
        appliance.failures().forEach((name, why) -> err.println("jns: " + name + " did not start: " + why));
        out.flush();
        err.flush();
        closed.await();
        return 0;
    }

    /** The services this appliance knows, in start order. */
    static List<ApplianceService> services() {
        return List.of(EchoServices.ECHO, EchoServices.DISCARD, AdminService.INSTANCE);
    }

    /** The command line's options as the config file would write them: they win over the file. */
    private Map<String, Object> overrides() {
        Map<String, Object> o = new LinkedHashMap<>();
        StackOptions s = stackOptions;
        if (s.tap() != null) {
            o.put("interface.type", "tap");
            o.put("interface.name", s.tap());
        }
        if (s.mac() != null) {
            o.put("interface.mac", s.mac().toString());
        }
        if (s.mtu() != null) {
            o.put("interface.mtu", s.mtu());
        }
        if (s.ip() != null) {
            o.put("addressing.mode", "static");
            o.put("addressing.address", s.ip().toString());
        }
        if (s.gateway() != null) {
            o.put("addressing.gateway", s.gateway().toString());
        }
        if (s.pcap() != null) {
            o.put("capture.pcap", s.pcap().toString());
        }
        if (s.trace()) {
            o.put("capture.trace", true);
        }
        if (echo) {
            o.put("echo.enabled", true);
        }
        if (discard) {
            o.put("discard.enabled", true);
        }
        if (adminPort != null) {
            o.put("admin.enabled", true);
            o.put("admin.port", adminPort);
        }
        return o;
    }

    private static StackLauncher.Link link(ApplianceConfig c, PcapRing ring) {
        return new StackLauncher.Link(c.iface().name(), c.addressing().address(), c.addressing().gateway(),
                c.iface().mac(), c.iface().mtu(), c.capture().pcap(), c.capture().trace(), ring);
    }
}
