package org.jnetstack.apps.cli;

import org.jnetstack.apps.appliance.InterfaceAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options that bring a stack up, shared by every command that needs one ({@code run},
 * {@code ping}, ...) as a picocli mixin. {@link #validate()} checks what single options
 * cannot check alone; {@link StackLauncher} turns validated options into a running stack.
 */
public final class StackOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--tap", paramLabel = "NAME", converter = Converters.InterfaceNameConverter.class,
            description = "Linux TAP interface to use; created if it does not exist (needs root or CAP_NET_ADMIN)."
                    + " Optional: without it the stack runs on the user-mode network (no root; the host is 10.0.2.2,"
                    + " DNS 10.0.2.3, the address comes from the gateway's DHCP server unless --ip gives one).")
    String tap;

    @Option(names = "--ip", paramLabel = "ADDR/PREFIX",
            converter = Converters.InterfaceAddressConverter.class,
            description = "The stack's own IPv4 address and prefix length, e.g. 10.0.0.2/24.")
    InterfaceAddress ip;

    @Option(names = "--ip6", paramLabel = "ADDR/PREFIX", converter = Converters.Ipv6InterfaceAddressConverter.class,
            description = "A static IPv6 address and prefix length, e.g. fd00::2/64; repeat for several. The link-local"
                    + " address and SLAAC addresses from router advertisements come anyway.")
    List<String> ip6 = new ArrayList<>();

    @Option(names = "--no-ipv6", description = "No IPv6 at all (no link-local address, neighbour discovery or ICMPv6).")
    boolean noIpv6;

    @Option(names = "--dhcp",
            description = "Get the address, mask, router, DNS servers and MTU from a DHCP server instead of --ip"
                    + " (waits up to 30 s for a lease, prints it, and releases it on exit).")
    boolean dhcp;

    @Option(names = "--hostname", paramLabel = "NAME",
            description = "Host name to tell the DHCP server (option 12), so it can register the name in its DNS.")
    String hostName;

    @Option(names = "--dns", paramLabel = "ADDR", converter = Converters.DnsServerConverter.class,
            description = "A DNS server for resolving host names: 10.0.0.53, fd00::53, or with a port"
                    + " 10.0.0.53:5353 or [fd00::53]:5353; repeat for several, tried in order"
                    + " (default: the ones the DHCP lease names, else those IPv6 routers advertise).")
    List<org.jnetstack.dns.DnsServer> dns = new ArrayList<>();

    @Option(names = "--gateway", paramLabel = "ADDR", converter = Converters.Ipv4AddressConverter.class,
            description = "Default gateway (on the --ip network); without it only that network is reachable.")
    Ipv4Address gateway;

    @Option(names = "--mac", paramLabel = "MAC", converter = Converters.MacConverter.class,
            description = "The stack's own MAC address, e.g. 02:00:00:00:00:02 (default: chosen by the device).")
    MacAddress mac;

    @Option(names = "--mtu", paramLabel = "N", converter = Converters.MtuConverter.class,
            description = "Interface MTU in bytes, 68-65535 (default: the device's, 1500 for a TAP).")
    Integer mtu;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Write every frame sent and received to FILE (pcap, opens in Wireshark/tshark).")
    Path pcap;

    @Option(names = "--trace", description = "Print one line per frame sent and received (to standard error).")
    boolean trace;

    @Option(names = "--no-offload", description = "Do not ask the kernel for TAP checksum and segmentation offloads "
            + "(IFF_VNET_HDR): every frame is at most the MTU and every checksum complete, also in captures.")
    boolean noOffload;

    /**
     * Checks the combination of options.
     *
     * @throws ParameterException naming the problem, so the command exits with status 2
     */
    public void validate() {
        if (noIpv6 && !ip6.isEmpty()) {
            throw new ParameterException(command.commandLine(), "--no-ipv6 and --ip6 exclude each other: --ip6 gives an"
                    + " IPv6 address, --no-ipv6 turns IPv6 off.");
        }
        if (dhcp && ip != null) {
            throw new ParameterException(command.commandLine(), "--dhcp and --ip exclude each other: the address comes"
                    + " either from a DHCP server or from --ip, not both.");
        }
        if (dhcp && gateway != null) {
            throw new ParameterException(command.commandLine(), "--gateway cannot be combined with --dhcp: the DHCP server"
                    + " names the router.");
        }
        if (hostName != null && !dhcp) {
            throw new ParameterException(command.commandLine(), "--hostname is sent to a DHCP server: use it with --dhcp.");
        }
        if (hostName != null && !hostName.matches("[A-Za-z0-9][A-Za-z0-9-]{0,62}")) {
            throw new ParameterException(command.commandLine(), "Invalid --hostname '" + hostName
                    + "': expected letters, digits and hyphens, 1-63 characters, like probe-7.");
        }
        if (tap == null) {
            // The user-mode network: its gateway is the router, and DHCP gives the address unless --ip does.
            if (gateway != null) {
                throw new ParameterException(command.commandLine(), "--gateway needs --tap: on the user-mode network"
                        + " the gateway's own address is the router.");
            }
            if (ip != null) {
                try {
                    StackLauncher.userNetPlan(link());
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(command.commandLine(), "--ip " + ip + " cannot be the guest on the user-mode"
                            + " network (" + e.getMessage() + "): its gateway takes .2 and its DNS .3 of the network;"
                            + " e.g. --ip 10.0.2.15/24.");
                }
            }
            return;
        }
        if (ip == null && !dhcp) {
            throw new ParameterException(command.commandLine(), "Missing required option: '--ip ADDR/PREFIX'"
                    + " (the stack's own address, e.g. --ip 10.0.0.2/24) or '--dhcp'");
        }
        if (dhcp) {
            return;
        }
        if (gateway != null && !ip.sameNetwork(gateway.bits())) {
            throw new ParameterException(command.commandLine(), "Gateway " + gateway + " is not on the network of --ip "
                    + ip + ": expected an address on that network" + exampleGateway());
        }
        if (gateway != null && gateway.equals(ip.address())) {
            throw new ParameterException(command.commandLine(),
                    "Gateway " + gateway + " is the stack's own address (--ip): expected another host on that network.");
        }
    }

    private String exampleGateway() {
        if (ip.prefixLength() == 32) {
            return " (a /32 network holds only the stack's own address; use a shorter prefix)";
        }
        int first = ip.prefixLength() == 31 ? ip.address().bits() ^ 1 : (ip.address().bits() & ip.netmask()) + 1;
        return ", like " + Ipv4Address.format(first == ip.address().bits() ? first + 1 : first);
    }

    /** True with --dhcp: the address comes from a lease ({@link #ip()} is null). */
    public boolean dhcp() {
        return dhcp;
    }

    /** True without --tap: the stack runs on the user-mode network, behind its gateway. */
    public boolean userNet() {
        return tap == null;
    }

    /** The --hostname for DHCP, or null. */
    public String hostName() {
        return hostName;
    }

    /** The --dns servers, in order; empty when none were given. */
    public List<org.jnetstack.dns.DnsServer> dns() {
        return List.copyOf(dns);
    }

    /**
     * Whether {@code host} is reachable as far as the options tell before the stack starts: on the
     * --ip network or via --gateway. With --dhcp nobody knows yet, and the user-mode network has a router: yes.
     */
    public boolean mayReach(Ipv4Address host) {
        return dhcp || userNet() || gateway != null || ip.sameNetwork(host.bits());
    }

    /** The options as a {@link StackLauncher.Link} (no capture ring). */
    public StackLauncher.Link link() {
        return new StackLauncher.Link(tap, ip, gateway, mac, mtu, pcap, trace, null, !noOffload, !noIpv6, ip6);
    }

    public String tap() {
        return tap;
    }

    /** False with --no-ipv6. */
    public boolean ipv6() {
        return !noIpv6;
    }

    /** The static IPv6 addresses of --ip6, "ADDR/PREFIX" each. */
    public List<String> ip6() {
        return ip6;
    }

    public InterfaceAddress ip() {
        return ip;
    }

    public Ipv4Address gateway() {
        return gateway;
    }

    public MacAddress mac() {
        return mac;
    }

    public Integer mtu() {
        return mtu;
    }

    /** True unless --no-offload: open the TAP with checksum and segmentation offloads when the kernel grants them. */
    public boolean offload() {
        return !noOffload;
    }

    public Path pcap() {
        return pcap;
    }

    public boolean trace() {
        return trace;
    }
}
