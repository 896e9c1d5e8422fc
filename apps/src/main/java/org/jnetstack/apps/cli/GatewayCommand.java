package org.jnetstack.apps.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.NamespaceTap;
import org.jnetstack.link.StreamDevice;
import org.jnetstack.link.StreamOptions;
import org.jnetstack.link.TapDevice;
import org.jnetstack.link.TapOptions;
import org.jnetstack.link.UserNamespaceTap;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.usernet.ForwardRule;
import org.jnetstack.usernet.UserNet;
import org.jnetstack.usernet.UserNetConfig;
import org.jnetstack.usernet.UserNetIpv6;
import org.jnetstack.wire.Ipv4Address;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jns gateway}: the user-mode network (DHCP, DNS forwarder, NAT to host sockets, port
 * forwards) for machines outside this JVM — QEMU guests on stream sockets and a network
 * namespace's TAP, each on its own port of the gateway's switch — until SIGINT/SIGTERM.
 */
@Command(name = "gateway",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        separator = " ",
        header = "Give QEMU guests (like passt) or a network namespace (like slirp4netns) the host's network.",
        description = {
            "Runs the user-mode network for virtual machines: a DHCP server (first guest 10.0.2.15/24, router"
                + " 10.0.2.2, DNS 10.0.2.3), a DNS forwarder to the host's name server, NAT of the guests' TCP and UDP"
                + " to host sockets (10.0.2.2 is the host's 127.0.0.1 unless --no-host-loopback), and host ports"
                + " forwarded to the first guest (--forward). On IPv6 the gateway is the link's router: its router"
                + " advertisements give the guests a /64 prefix (a random unique local one, or --ipv6-prefix) to form their"
                + " addresses from (SLAAC) and make it their default router; it answers at PREFIX::2 and its link-local"
                + " address, passes the guests' IPv6 TCP and UDP to host sockets (NAT66; PREFIX::2 is the host's [::1]"
                + " unless --no-host-loopback) and answers DNS at PREFIX::3 (in the advertisements' RDNSS). Each --qemu"
                + " is a socket a QEMU connects to with"
                + " -netdev stream (QEMU 7.2 or later) or -netdev socket; each guest gets its own port of the"
                + " gateway's switch, and a guest whose QEMU restarts gets its port and DHCP address back.",
            "Prints one line per socket and forward when it is up, then runs until interrupted (Ctrl-C or SIGTERM).",
            ""
        },
        footer = {
            "",
            "Example: a guest on a Unix socket, its port 22 forwarded from the host's 2222:",
            "  ./jns gateway --qemu /run/user/1000/jns.sock --forward tcp:2222:22",
            "  qemu-system-x86_64 ... -netdev stream,id=n0,server=off,addr.type=unix,addr.path=/run/user/1000/jns.sock \\",
            "      -device virtio-net-pci,netdev=n0",
            "Over TCP (-netdev socket,id=n0,connect=127.0.0.1:5555 also works):",
            "  ./jns gateway --qemu tcp:127.0.0.1:5555",
            "QEMU listening, the gateway connecting (the guest survives a restart of the gateway):",
            "  qemu-system-x86_64 ... -netdev stream,id=n0,server=on,addr.type=unix,addr.path=/tmp/vm.sock ...",
            "  ./jns gateway --qemu-connect /tmp/vm.sock",
            "A network namespace, as root (its tap0 gets 10.0.2.100/24, default route via 10.0.2.2; its kernel takes an"
                + " IPv6 address and default route from the gateway's router advertisements):",
            "  ip netns add box && ./jns gateway --netns /run/netns/box &",
            "  ip netns exec box curl http://10.0.2.2:8000/    # the host's 127.0.0.1:8000",
            "Without root, a namespace of your own user namespace (as slirp4netns does):",
            "  unshare -rn sleep infinity & ./jns gateway --netns $! &",
            "  nsenter --preserve-credentials -U -n -t <that sleep's PID> curl http://10.0.2.2:8000/"
        })
final class GatewayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--qemu", paramLabel = "PATH|tcp:[HOST:]PORT",
            description = "Listen for a QEMU guest on the Unix socket PATH, or on TCP HOST:PORT (HOST defaults to"
                    + " 127.0.0.1). Repeat for more guests, one socket each. The appliance joins through one too"
                    + " (jns run --gateway-socket PATH).")
    List<String> qemu = new ArrayList<>();

    @Option(names = "--qemu-connect", paramLabel = "PATH|tcp:[HOST:]PORT",
            description = "Connect to a QEMU that listens (-netdev stream,server=on,...) on the Unix socket PATH or TCP"
                    + " HOST:PORT, and connect again whenever the connection ends: the guest keeps its network across a"
                    + " restart of the gateway. Repeatable.")
    List<String> qemuConnect = new ArrayList<>();

    @Option(names = "--netns", paramLabel = "PATH|PID",
            description = "Serve a network namespace (as slirp4netns --configure does): create a TAP (--netns-if) inside the"
                    + " namespace at PATH (/run/netns/NAME, /proc/PID/ns/net) or of process PID, give it the address"
                    + " .100 of the network (10.0.2.100/24), bring it up and route through the gateway. As root, any"
                    + " namespace; as another user, one that user's own user namespace owns (unshare -rn): give the PID"
                    + " of a process inside it, or --userns.")
    String netns;

    @Option(names = "--userns", paramLabel = "PATH",
            description = "The user namespace that owns the --netns namespace (default: /proc/PID/ns/user of the --netns"
                    + " process). Entered, as slirp4netns --userns-path does, when this process is not root.")
    String userns;

    @Option(names = "--netns-if", paramLabel = "NAME", defaultValue = "tap0",
            description = "The TAP's name inside the namespace (default tap0).")
    String netnsInterface;

    @Option(names = "--forward", paramLabel = "tcp|udp:[HOSTADDR:]HOSTPORT:GUESTPORT",
            description = "Forward a host TCP or UDP port to the first guest's port (10.0.2.15, or 10.0.2.100 with --netns;"
                    + " --network moves it); HOSTADDR defaults to 127.0.0.1 (0.0.0.0: every address; an IPv6 one in brackets,"
                    + " tcp:[::1]:8080:80, [::] every IPv6 address). The guest sees a"
                    + " client from its own IPv4 address (answering through its default route, the gateway), or from the"
                    + " gateway address when the client is on the host's loopback. For UDP each host sender gets a"
                    + " gateway port of its own towards the guest. Repeatable.")
    List<String> forwards = new ArrayList<>();

    @Option(names = "--forward-from-gateway",
            description = "Show every forwarded connection to the guest from the gateway address, hiding the client's"
                    + " address (for a guest that does not route back through the gateway).")
    boolean forwardFromGateway;

    @Option(names = "--network", paramLabel = "CIDR",
            description = "The guests' network (default 10.0.2.0/24): the gateway is its .2, DNS its .3, the first guest its .15.")
    String network;

    @Option(names = "--mtu", paramLabel = "N",
            description = "The link's MTU, 576-65535 (default 1500, what a virtio-net guest uses unless told).")
    Integer mtu;

    @Option(names = "--dns-upstream", paramLabel = "ADDR|host",
            description = "Where the DNS forwarder (10.0.2.3) relays the guests' queries: a name server's IPv4 ADDR, or"
                    + " 'host' to answer them from this host's resolver (which knows /etc/hosts). Default: the first"
                    + " nameserver of /etc/resolv.conf ('host' when there is none).")
    String dnsUpstream;

    @Option(names = "--ipv6-prefix", paramLabel = "PREFIX/64",
            description = "The IPv6 /64 prefix the gateway advertises (e.g. fd12:3456:789a:1::/64); the gateway is its ::2."
                    + " Default: a unique local prefix (fdXX:XXXX:XXXX::/64) drawn at random when the gateway starts.")
    String ipv6Prefix;

    @Option(names = "--no-ipv6",
            description = "No IPv6 on the gateway's link: no router advertisements, no IPv6 addresses.")
    boolean noIpv6;

    @Option(names = "--no-offload",
            description = "Open the --netns TAP without virtio-net offloads (checksum and TCP segmentation offload, TSO4/TSO6):"
                    + " one frame of at most the MTU per read and write instead of TCP super-segments of up to 64 KiB.")
    boolean noOffload;

    @Option(names = "--no-transmit-thread",
            description = "Write the --netns TAP's frames on the event loop instead of a transmit thread of its own. The"
                    + " thread runs only when the TAP has no segmentation offload (--no-offload, or an old kernel).")
    boolean noTransmitThread;

    @Option(names = "--no-host-loopback",
            description = "Refuse the guests' connections to the gateway address instead of passing them to the host's"
                    + " 127.0.0.1, and to PREFIX::2 instead of the host's [::1] (services listening only on the host's"
                    + " loopback are then out of the guests' reach).")
    boolean noHostLoopback;

    @Override
    public Integer call() throws Exception {
        if (qemu.isEmpty() && qemuConnect.isEmpty() && netns == null) {
            throw new ParameterException(spec.commandLine(), "Missing what to serve: give --qemu PATH|tcp:[HOST:]PORT"
                    + " or --qemu-connect (repeatable) and/or --netns PATH|PID");
        }
        if (netns != null && !(qemu.isEmpty() && qemuConnect.isEmpty())) {
            // The namespace's static 10.0.2.100 is where forwards go and where the DHCP pool would start.
            throw new ParameterException(spec.commandLine(), "--netns cannot be combined with --qemu or --qemu-connect"
                    + " (yet): run one gateway for the namespace and another for the guests");
        }
        UserNetConfig plan = plan();
        List<Endpoint> endpoints = new ArrayList<>();
        for (String q : qemu) {
            endpoints.add(parseEndpoint(q, "--qemu", false));
        }
        for (String q : qemuConnect) {
            endpoints.add(parseEndpoint(q, "--qemu-connect", true));
        }
        PrintWriter out = spec.commandLine().getOut();
        EventLoop loop = EventLoop.system();
        List<LinkDevice> devices = new ArrayList<>();
        Path namespacePath = null;
        Path enteredUserNamespace = null;
        UserNet net = null;
        try {
            net = dnsUpstream == null ? UserNet.create(loop, plan) : UserNet.create(loop, plan, upstream());
            StreamOptions options = StreamOptions.defaults().withMtu(plan.mtu());
            for (Endpoint e : endpoints) {
                StreamDevice d = e.connect
                        ? (e.path != null ? StreamDevice.connectUnix(e.path, null, options) : StreamDevice.connectTcp(e.tcp, null, options))
                        : (e.path != null ? StreamDevice.listenUnix(e.path, null, options) : StreamDevice.listenTcp(e.tcp, null, options));
                devices.add(d);
                net.attachExternal(d);
            }
            if (netns != null) {
                Path ns = NamespaceTap.namespacePath(netns);
                Path owner = userns != null ? Path.of(userns) : UserNamespaceTap.userNamespaceOf(ns);
                // Not root, and the namespace belongs to a user namespace of our own: enter that too.
                Path enter = owner != null && UserNamespaceTap.needed(owner) ? owner : null;
                namespacePath = ns;
                enteredUserNamespace = enter;
                TapOptions tapOptions = TapOptions.defaults().withOffloads(!noOffload).withTransmitThread(!noTransmitThread);
                TapDevice tap = enter != null ? UserNamespaceTap.open(enter, ns, netnsInterface, null, plan.mtu(), tapOptions)
                        : openAsRoot(ns, plan.mtu(), tapOptions);
                devices.add(tap);
                net.attachExternal(tap);
                configureNamespace(ns, enter, plan);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (net != null) {
                net.close();
            }
            devices.forEach(LinkDevice::close);
            loop.close();
            throw e;
        }
        // A failure is reported in one line below: the loop need not log it.
        loop.onFailure(fatal -> { });
        TestHooks.installOnHost(loop, TestHooks.faultPort());
        loop.start("jns-gateway");
        UserNet gateway = net;
        CountDownLatch closed = new CountDownLatch(1);
        PrintWriter stopErr = spec.commandLine().getErr();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                StackFailure.stopWithin(RunCommand.STOP_GRACE, () -> {
                    gateway.close();
                    loop.close(); // closes the stream devices and removes their socket files
                }, stopErr);
            } finally {
                closed.countDown();
            }
        }, "jns-gateway-shutdown"));
        UserNetConfig c = net.config();
        out.println("jns gateway: up: network " + c.network() + "/" + c.prefixLength() + ", gateway " + c.gateway()
                + ", DNS " + c.dns() + ", first guest " + c.guest()
                + (net.ipv6Prefix() == null ? ", no IPv6" : ", IPv6 prefix " + net.ipv6Prefix() + "/64 gateway " + net.ipv6Gateway()
                        + " DNS " + net.ipv6Dns())
                + ", MTU " + c.mtu()
                + (c.hostLoopback() ? "" : ", host loopback refused") + ". Ctrl-C to stop.");
        for (LinkDevice d : devices) {
            if (!(d instanceof StreamDevice s)) {
                out.println("jns gateway: serving network namespace " + netns + ": " + netnsInterface + " " + c.guest() + "/"
                        + c.prefixLength() + ", default route via " + c.gateway() + ", DNS " + c.dns()
                        + (net.ipv6Prefix() == null ? "" : "; IPv6 by SLAAC in " + net.ipv6Prefix() + "/64 from the gateway's"
                                + " router advertisements (the namespace's default accept_ra=1, forwarding=0)"));
                if (d instanceof TapDevice t) {
                    out.println("jns gateway: " + netnsInterface + " offloads " + t.offloadStatus());
                }
                NamespaceDnsHint.lines(netns, namespacePath, enteredUserNamespace, c.dns().toString())
                        .forEach(line -> out.println("jns gateway: " + line));
                continue;
            }
            if (s.localPort() < 0 && s.unixPath() == null) {
                out.println("jns gateway: connecting to QEMU: " + s.name());
                continue;
            }
            out.println("jns gateway: waiting for QEMU on " + (s.unixPath() != null
                    ? "unix " + s.unixPath() + " (-netdev stream,id=n0,server=off,addr.type=unix,addr.path=" + s.unixPath() + ")"
                    : "tcp port " + s.localPort() + " (-netdev stream,id=n0,server=off,addr.type=inet,addr.host=HOST,addr.port="
                            + s.localPort() + ")"));
        }
        net.forwards().forEach((rule, at) -> out.println("jns gateway: forward " + (rule.udp() ? "udp " : "") + ForwardRule.uriHost(at.getAddress()) + ":"
                + at.getPort() + " -> " + c.guest() + ":" + rule.guestPort()));
        out.flush();
        // until SIGINT/SIGTERM (the hook ends the JVM), or the loop fails: one line, exit 1
        return StackFailure.run(loop, () -> {
            closed.await();
            return 0;
        });
    }

    private UserNetConfig plan() {
        UserNetConfig plan = UserNetConfig.defaults();
        try {
            if (network != null) {
                plan = plan.withNetwork(network);
            }
            if (noIpv6 && ipv6Prefix != null) {
                throw new IllegalArgumentException("--ipv6-prefix and --no-ipv6 contradict each other: give one");
            }
            if (noIpv6) {
                plan = plan.withIpv6(UserNetIpv6.off());
            } else if (ipv6Prefix != null) {
                plan = plan.withIpv6Prefix(ipv6Prefix);
            }
            if (mtu != null) {
                plan = plan.withMtu(mtu);
            }
            List<ForwardRule> rules = new ArrayList<>();
            for (String f : forwards) {
                rules.add(ForwardRule.parse(f));
            }
            plan = plan.withForwards(rules).withHostLoopback(!noHostLoopback).withKeepClientAddress(!forwardFromGateway);
            if (netns != null) {
                // slirp4netns's address for the namespace: .100 of the network; forwards go there.
                plan = plan.withGuest(new Ipv4Address(plan.network().bits() + 100));
            }
            return plan;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private TapDevice openAsRoot(Path ns, int mtu, TapOptions options) throws IOException {
        try {
            return NamespaceTap.open(ns, netnsInterface, null, mtu, options);
        } catch (IOException e) {
            if (userns == null && UserNamespaceTap.userNamespaceOf(ns) == null && String.valueOf(e.getMessage()).contains("CAP_SYS_ADMIN")) {
                throw new IOException(e.getMessage() + "; for a namespace your own user namespace owns (unshare -rn),"
                        + " give the PID of a process inside it, or --userns PATH", e);
            }
            throw e;
        }
    }

    /**
     * Address, MTU, up, default route in the namespace, with ip(8) run there through nsenter(1),
     * inside the user namespace {@code userns} too unless it is null.
     */
    private void configureNamespace(Path ns, Path userns, UserNetConfig c) throws IOException, InterruptedException {
        String dev = netnsInterface;
        run(ns, userns, "ip", "link", "set", "lo", "up");
        run(ns, userns, "ip", "link", "set", dev, "mtu", Integer.toString(c.mtu()), "up");
        run(ns, userns, "ip", "addr", "add", c.guest() + "/" + c.prefixLength(), "dev", dev);
        run(ns, userns, "ip", "route", "add", "default", "via", c.gateway().toString(), "dev", dev);
    }

    private static void run(Path ns, Path userns, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + ns));
        if (userns != null) {
            cmd.addAll(List.of("--user=" + userns, "--preserve-credentials"));
        }
        cmd.addAll(List.of(command));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run nsenter (util-linux) to configure the namespace: " + e.getMessage(), e);
        }
        String output = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new IOException("configuring the namespace failed: `" + String.join(" ", cmd) + "`: " + output);
        }
    }

    /** {@code --dns-upstream}: null for 'host'. */
    private InetSocketAddress upstream() {
        if (dnsUpstream.equals("host")) {
            return null;
        }
        try {
            InetAddress a = InetAddress.ofLiteral(dnsUpstream);
            if (a instanceof java.net.Inet4Address) {
                return new InetSocketAddress(a, 53);
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), "invalid --dns-upstream '" + dnsUpstream
                + "': expected a name server's IPv4 address (e.g. 192.168.1.1) or 'host'");
    }

    private record Endpoint(Path path, InetSocketAddress tcp, boolean connect) {
    }

    /** {@code PATH} or {@code tcp:[HOST:]PORT}. */
    private Endpoint parseEndpoint(String s, String option, boolean connect) {
        if (!s.startsWith("tcp:")) {
            if (s.isEmpty()) {
                throw new ParameterException(spec.commandLine(), option + " needs a Unix socket PATH or tcp:[HOST:]PORT");
            }
            return new Endpoint(Path.of(s), null, connect);
        }
        String rest = s.substring(4);
        int colon = rest.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : rest.substring(0, colon);
        String port = colon < 0 ? rest : rest.substring(colon + 1);
        String usage = "invalid " + option + " '" + s + "': expected a Unix socket PATH or tcp:[HOST:]PORT, e.g. tcp:127.0.0.1:5555";
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new ParameterException(spec.commandLine(), usage + " (port must be 0-65535)");
            }
            InetAddress a = InetAddress.getByName(host);
            if (!(a instanceof java.net.Inet4Address)) {
                throw new ParameterException(spec.commandLine(), usage + " (an IPv4 address)");
            }
            if (connect && p == 0) {
                throw new ParameterException(spec.commandLine(), usage + " (the port QEMU listens on, not 0)");
            }
            return new Endpoint(null, new InetSocketAddress(a, p), connect);
        } catch (NumberFormatException | UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), usage);
        }
    }
}
