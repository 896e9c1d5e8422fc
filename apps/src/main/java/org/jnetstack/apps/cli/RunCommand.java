package org.jnetstack.apps.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.jnetstack.apps.admin.AdminService;
import org.jnetstack.apps.appliance.Appliance;
import org.jnetstack.apps.appliance.ApplianceConfig;
import org.jnetstack.apps.appliance.ApplianceService;
import org.jnetstack.apps.appliance.ConfigException;
import org.jnetstack.apps.appliance.ConfigFile;
import org.jnetstack.apps.appliance.EchoServices;
import org.jnetstack.apps.appliance.StableSecret;
import org.jnetstack.apps.httpd.WwwService;
import org.jnetstack.apps.serial.SerialApplianceService;
import org.jnetstack.apps.tftp.TftpApplianceService;
import org.jnetstack.link.PcapRing;
import org.jnetstack.socket.jdk.StackServerSocketFactory;
import org.jnetstack.usernet.ForwardRule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jns run}: the appliance. Reads the config file (if any), lays the command line's
 * options over it, validates the result (nothing starts on an invalid configuration), brings the
 * stack up, starts the services, prints where they listen, and serves until SIGINT/SIGTERM
 * (exit status 130/143, stopped within {@link #STOP_GRACE}) or until the stack fails on a fatal
 * error (an {@link Error} on its event loop: one line naming it, exit status 1). Out of memory
 * anywhere ends the JVM at once: the launcher passes {@code -XX:+ExitOnOutOfMemoryError}.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        sortSynopsis = false,
        separator = " ",
        header = "Run the stack and its services (the appliance) until interrupted.",
        description = {
            "Brings the stack up — without --tap (and without a config file naming a TAP) on the user-mode network,"
                + " no root needed: its address from the gateway's DHCP server (10.0.2.15/24; 10.0.2.2 is the host,"
                + " 10.0.2.3 the DNS forwarder), host ports forwarded to its services (--forward) —; with --tap NAME on"
                + " that TAP interface. It answers ARP and ping, and runs the services that the"
                + " config file (--config) and the options turn on: the web admin page (--admin-port), echo"
                + " (RFC 862, UDP and TCP port 7, --echo), discard (RFC 863, TCP port 9, --discard), static files"
                + " (--www DIR). Options"
                + " override the file. Prints one line when it is up and one per service saying where it"
                + " listens, then runs until interrupted (Ctrl-C or SIGTERM) and closes cleanly (a --pcap file"
                + " is complete).",
            ""
        },
        footer = {
            "",
            "Example, no root: the appliance on the user-mode network, its admin page and echo forwarded from the host:",
            "  ./jns run",
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

    @Option(names = "--www", paramLabel = "DIR",
            description = "Serve the files under DIR over HTTP (port 8000, or --www-port): media types from the extension,"
                    + " index.html for a directory, Range requests, ETag/Last-Modified revalidation. Nothing outside DIR"
                    + " is reachable ('..' is refused, symbolic links that lead out are not followed, dot-files are hidden).")
    Path www;

    @Option(names = "--www-port", paramLabel = "N", converter = Converters.PortConverter.class,
            description = "The TCP port of --www (default 8000; 80 is the admin page's default).")
    Integer wwwPort;

    @Option(names = "--forward", paramLabel = "tcp:[HOSTADDR:]HOSTPORT:GUESTPORT",
            description = "On the user-mode network (no --tap): forward a host port to one of the stack's ports,"
                    + " e.g. tcp:8080:80 (HOSTADDR defaults to 127.0.0.1; an IPv6 one in brackets: tcp:[::1]:8080:80). Repeatable. The admin page and echo"
                    + " are forwarded by default, from the first free port at or above 8080 and 7777.")
    List<String> forwards = new java.util.ArrayList<>();

    @Option(names = "--gateway-socket", paramLabel = "PATH",
            description = "Join a running `jns gateway`'s network through the Unix socket it listens on (jns gateway"
                    + " --qemu PATH) instead of a TAP or a gateway of its own: the appliance gets its address from that"
                    + " gateway's DHCP server and shares the network with its QEMU guests; host ports reach it through"
                    + " the gateway's --forward. Reconnects when the gateway restarts. Config file: [interface]"
                    + " type = \"gateway\", socket = \"PATH\".")
    Path gatewaySocket;

    /**
     * Forwards made without asking on the user-mode network, so a newcomer reaches the services
     * from the host: guest port to the first host port tried (the next free one if taken). The
     * web files and the serial console are forwarded from their own port numbers (see call).
     */
    static final Map<Integer, Integer> DEFAULT_FORWARDS = Map.of(80, 8080, 7, 7777);

    private boolean userNet() {
        return stackOptions.tap() == null && gatewaySocket == null && (config == null || "usernet".equals(configuredType()));
    }

    private String configuredType() {
        try {
            return ConfigFile.load(config, Map.of()).current().iface().type();
        } catch (Exception e) {
            return null; // reported properly below
        }
    }

    @Mixin
    TftpServiceOptions tftpOptions;

    @Mixin
    SerialServiceOptions serialOptions;

    @Override
    public Integer call() throws Exception {
        Integer faultPort = TestHooks.faultPort();
        boolean userNet = userNet();
        if (gatewaySocket != null && stackOptions.tap() != null) {
            throw new ParameterException(spec.commandLine(), "--gateway-socket and --tap are two different links: give one");
        }
        if (config == null && !userNet && gatewaySocket == null) {
            stackOptions.validate(); // the command line alone must name the interface and address
        }
        if (!forwards.isEmpty() && !userNet) {
            throw new ParameterException(spec.commandLine(), "--forward works on the user-mode network only (without --tap)"
                    + (gatewaySocket != null ? "; on a jns gateway's network give --forward to `jns gateway`" : ""));
        }
        List<ForwardRule> rules = new java.util.ArrayList<>();
        for (String f : forwards) {
            try {
                rules.add(ForwardRule.parse(f));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        List<ApplianceService> services = new java.util.ArrayList<>(services());
        ConfigFile file;
        try {
            file = ConfigFile.load(config, overrides(userNet));
        } catch (ConfigException e) {
            throw new ParameterException(spec.commandLine(), "invalid configuration:\n  "
                    + String.join("\n  ", e.problems()));
        }
        // With --serial - standard output is the serial line: jns's own messages must not go there.
        ApplianceConfig.Serial serial = file.current().serial();
        PrintWriter out = serial.enabled() && "-".equals(serial.device()) ? spec.commandLine().getErr() : spec.commandLine().getOut();
        if (file.hashPlainPassword()) {
            out.println("jns: replaced the admin password in " + config + " by its hash (password_hash)");
        }
        if (file.hashPlainSerialPassword()) {
            out.println("jns: replaced the serial password in " + config + " by its hash (password_hash)");
        }
        String ipv6Secret = null;
        if (file.current().addressing().ipv6() && stackOptions.ipv6()) {
            try {
                StableSecret.Obtained kept = StableSecret.obtain(file, StableSecret.defaultStateFile());
                ipv6Secret = kept.secret();
                if (kept.storedIn() != null) {
                    out.println("jns: stored a new IPv6 stable-address secret (RFC 7217) in " + kept.storedIn());
                }
            } catch (java.io.IOException e) {
                out.println("jns: cannot store the IPv6 stable-address secret (" + e.getMessage()
                        + "): the IPv6 addresses will change at the next start");
            }
        }
        ApplianceConfig c = file.current();
        PcapRing ring = new PcapRing(c.capture().ringFrames());
        StackLauncher launcher;
        if (userNet) {
            if (c.admin().enabled() && DEFAULT_FORWARDS.containsKey(c.admin().port()) && !forwardsGuest(rules, c.admin().port())) {
                rules.add(new ForwardRule(InetAddress.getLoopbackAddress(), DEFAULT_FORWARDS.get(c.admin().port()), c.admin().port(), true));
            } else if (c.admin().enabled() && !forwardsGuest(rules, c.admin().port())) {
                rules.add(new ForwardRule(InetAddress.getLoopbackAddress(), 8080, c.admin().port(), true));
            }
            if (c.echo().enabled() && !forwardsGuest(rules, 7)) {
                rules.add(new ForwardRule(InetAddress.getLoopbackAddress(), DEFAULT_FORWARDS.get(7), 7, true));
            }
            // www and the serial console: the same number on the host when free (8000, 1234 by default), else the next free one
            if (c.www().enabled() && !forwardsGuest(rules, c.www().port())) {
                rules.add(new ForwardRule(InetAddress.getLoopbackAddress(), Math.max(c.www().port(), 1024), c.www().port(), true));
            }
            if (c.serial().enabled() && !forwardsGuest(rules, c.serial().port())) {
                rules.add(new ForwardRule(InetAddress.getLoopbackAddress(), Math.max(c.serial().port(), 1024), c.serial().port(), true));
            }
            launcher = StackLauncher.startUserNet(link(c, ring, stackOptions, ipv6Secret), rules, "run", null, c.addressing().hostname());
        } else if ("gateway".equals(c.iface().type())) {
            launcher = StackLauncher.startOnGateway(link(c, ring, stackOptions, ipv6Secret), c.iface().socket(), "run", null,
                    c.addressing().hostname());
        } else {
            launcher = StackLauncher.start(link(c, ring, stackOptions, ipv6Secret), "run", null, c.addressing().hostname());
        }
        if (!c.dns().servers().isEmpty()) {
            launcher.setDnsServers(c.dns().servers());
        }
        // The admin page listens through the stack's own sockets, on every address the stack has.
        Appliance appliance = Appliance.start(file, launcher.stack(), ring, launcher.describeLink(), services,
                StackServerSocketFactory.of(launcher.stack()), InetAddress.getByAddress(new byte[4]));
        appliance.useNetwork(launcher::lease, launcher::setDnsServers);
        // Completed with the fatal error that stops the stack's loop (on the dying loop thread:
        // nothing but the completion happens there), or never.
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        launcher.stack().onFailure(failed::complete);
        TestHooks.install(launcher, faultPort);
        // The JVM runs this on SIGINT/SIGTERM, and on exit after a failure: stop the services, then
        // the loop and the stack, which completes a pcap file. Within STOP_GRACE, whatever state the
        // loop is in (dead, or stuck in a handler): the JVM exits when the hook returns.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWithin(STOP_GRACE, () -> {
            appliance.close();
            launcher.close();
        }, spec.commandLine().getErr()), "jns-shutdown"));
        if (launcher.userNet() != null) {
            launcher.awaitIpv6Address(StackLauncher.SLAAC_WAIT); // the gateway is the router: its address comes at once
        }
        out.println("jns: up: " + launcher.describe() + ". Ctrl-C to stop.");
        for (String l : appliance.listening()) {
            out.println("jns: " + l);
        }
        if (launcher.userNet() != null) {
            launcher.userNet().forwards().forEach((rule, at) -> out.println("jns: forward " + ForwardRule.uriHost(at.getAddress())
                    + ":" + at.getPort() + " -> port " + rule.guestPort() + describeForward(rule.guestPort(), at, c)));
        }
        PrintWriter err = spec.commandLine().getErr();
        appliance.failures().forEach((name, why) -> err.println("jns: " + name + " did not start: " + why));
        out.flush();
        err.flush();
        Throwable fatal = failed.get(); // only a failure ends the wait; a signal ends the JVM
        reportFailure(fatal, err);
        return Main.FAILURE;
    }

    /**
     * How long stopping may take on SIGTERM or after a failure: the services, the connections'
     * FINs ({@link StackLauncher#END_GRACE}) and the devices. Past it the process exits anyway, so
     * a loop stuck in a handler cannot keep it alive. Below the 10 s that {@code docker stop}
     * waits before SIGKILL.
     */
    static final Duration STOP_GRACE = Duration.ofSeconds(8);

    /** The one line {@code jns run} prints when the stack fails (the same for every command). */
    static final String FAILED = StackFailure.FAILED;

    /** See {@link StackFailure#stopWithin}. */
    static void stopWithin(Duration grace, Runnable stop, PrintWriter err) {
        StackFailure.stopWithin(grace, stop, err);
    }

    /** See {@link StackFailure#report}. */
    static void reportFailure(Throwable fatal, PrintWriter err) {
        StackFailure.report(fatal, err);
    }

    private static boolean forwardsGuest(List<ForwardRule> rules, int guestPort) {
        return rules.stream().anyMatch(r -> r.guestPort() == guestPort);
    }

    private static String describeForward(int guestPort, java.net.InetSocketAddress at, ApplianceConfig c) {
        String host = ForwardRule.formatHost(at.getAddress());
        String uriHost = ForwardRule.uriHost(at.getAddress());
        if (c.admin().enabled() && guestPort == c.admin().port()) {
            return " (admin page: http://" + uriHost + ":" + at.getPort() + "/)";
        }
        if (c.echo().enabled() && guestPort == 7) {
            return " (echo: nc " + host + " " + at.getPort() + ")";
        }
        if (c.www().enabled() && guestPort == c.www().port()) {
            return " (web files: http://" + uriHost + ":" + at.getPort() + "/)";
        }
        if (c.serial().enabled() && guestPort == c.serial().port()) {
            return " (serial console: nc " + host + " " + at.getPort() + ")";
        }
        return "";
    }

    /** The services this appliance knows, in start order. */
    static List<ApplianceService> services() {
        return List.of(EchoServices.ECHO, EchoServices.DISCARD, AdminService.INSTANCE, WwwService.INSTANCE,
                TftpApplianceService.FROM_CONFIG, SerialApplianceService.FROM_CONFIG);
    }

    /** The command line's options as the config file would write them: they win over the file. */
    private Map<String, Object> overrides(boolean userNet) {
        Map<String, Object> o = new LinkedHashMap<>();
        StackOptions s = stackOptions;
        if ((userNet || gatewaySocket != null) && config == null) {
            // `jns run` alone: the appliance on the user-mode network, its address from the gateway's DHCP
            // server (QEMU's plan), its admin page and echo on.
            o.put("interface.type", "usernet");
            o.put("addressing.mode", "dhcp");
            o.put("admin.enabled", true);
            o.put("echo.enabled", true);
        }
        if (gatewaySocket != null) {
            o.put("interface.type", "gateway");
            o.put("interface.socket", gatewaySocket.toString());
        }
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
        if (s.dhcp()) {
            o.put("addressing.mode", "dhcp");
        }
        if (s.hostName() != null) {
            o.put("addressing.hostname", s.hostName());
        }
        if (!s.dns().isEmpty()) {
            o.put("dns.servers", String.join(", ", s.dns().stream().map(Object::toString).toList()));
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
        if (www != null) {
            o.put("www.enabled", true);
            o.put("www.root", www.toString());
        }
        if (wwwPort != null) {
            o.put("www.port", wwwPort);
        }
        tftpOptions.putOverrides(o);
        serialOptions.putOverrides(o);
        return o;
    }

    /**
     * The link the config describes; --no-offload is a command-line-only switch. IPv6 is on unless
     * --no-ipv6 or {@code [addressing] ipv6 = false}; --ip6 replaces the file's {@code ipv6_address}.
     */
    private static StackLauncher.Link link(ApplianceConfig c, PcapRing ring, StackOptions o, String ipv6Secret) {
        ApplianceConfig.Addressing a = c.addressing();
        List<String> ip6 = !o.ip6().isEmpty() ? o.ip6() : a.ipv6Address() != null ? List.of(a.ipv6Address()) : List.of();
        boolean ipv6 = o.ipv6() && a.ipv6();
        return new StackLauncher.Link(c.iface().name(), a.address(), a.gateway(), c.iface().mac(), c.iface().mtu(),
                c.capture().pcap(), c.capture().trace(), ring, o.offload(), ipv6, ipv6 ? ip6 : List.of(), ipv6 ? ipv6Secret : null);
    }
}
