package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jnetstack.dhcp.DhcpLease;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stack commands without --tap: they come up on the user-mode network, the guest's address from
 * the gateway's DHCP server, and reach the host through the NAT. No root needed.
 */
@Timeout(120)
class UserNetCommandsTest {

    @Test
    void withoutAnAddressTheGuestLeasesQemusPlanFromTheGateway() throws Exception {
        StackLauncher.Link link = new StackLauncher.Link(null, null, null, null, null, null, false, null);
        try (StackLauncher launcher = StackLauncher.startUserNet(link, List.of(), "lease-test", null)) {
            DhcpLease lease = launcher.lease();
            assertThat(lease).as("bound before startUserNet returns").isNotNull();
            assertThat(lease.address()).isEqualTo(Ipv4Address.parse("10.0.2.15"));
            assertThat(lease.prefixLength()).isEqualTo(24);
            assertThat(lease.routers()).containsExactly(Ipv4Address.parse("10.0.2.2"));
            assertThat(lease.dnsServers()).containsExactly(Ipv4Address.parse("10.0.2.3"));
            assertThat(lease.server()).isEqualTo(Ipv4Address.parse("10.0.2.2"));
            assertThat(launcher.describe()).startsWith("10.0.2.15/24 (DHCP) on the user-mode network");
        }
    }

    /** The IPv6 part of the up line: the SLAAC address, the gateway and the DNS address. */
    private static final java.util.regex.Pattern UP6 = java.util.regex.Pattern.compile(
            "IPv6 (fd[0-9a-f:]+)/64 \\(SLAAC\\) \\(gateway ([0-9a-f:]+) = the host's \\[::1\\], DNS ([0-9a-f:]+)\\)");

    @Test
    void onTheUserNetworkTheStackIsDualStackAndKeepsItsIpv6AddressAcrossRestartsWithTheSameSecret() throws Exception {
        String secret = "00112233445566778899aabbccddeeff";
        StackLauncher.Link link = new StackLauncher.Link(null, null, null, null, null, null, false, null, true, true, List.of(),
                secret);
        String first;
        try (StackLauncher launcher = StackLauncher.startUserNet(link, List.of(), "dual-test", null)) {
            launcher.awaitIpv6Address(StackLauncher.SLAAC_WAIT);
            first = launcher.describe();
        }
        java.util.regex.Matcher m = UP6.matcher(first);
        assertThat(m.find()).as("the up line shows the SLAAC address: %s", first).isTrue();
        String prefix = launcher6Prefix(m.group(2)); // "fdxx:xxxx:xxxx::"
        assertThat(m.group(1)).startsWith(prefix.substring(0, prefix.length() - 1));
        assertThat(m.group(3)).isEqualTo(prefix + "3");
        try (StackLauncher again = StackLauncher.startUserNet(link, List.of(), "dual-test", null)) {
            again.awaitIpv6Address(StackLauncher.SLAAC_WAIT);
            assertThat(again.describe()).as("restarted with the same secret").isEqualTo(first);
        }
        StackLauncher.Link other = new StackLauncher.Link(null, null, null, null, null, null, false, null, true, true, List.of(),
                "ffeeddccbbaa99887766554433221100");
        try (StackLauncher launcher = StackLauncher.startUserNet(other, List.of(), "dual-test", null)) {
            launcher.awaitIpv6Address(StackLauncher.SLAAC_WAIT);
            assertThat(launcher.describe()).as("another secret, another prefix and address").isNotEqualTo(first);
        }
    }

    /** "fdxx:...::2" without its "2": the prefix. */
    private static String launcher6Prefix(String gateway) {
        assertThat(gateway).endsWith("::2");
        return gateway.substring(0, gateway.length() - 1);
    }

    @Test
    void jnsHttpFetchesFromAHostServerOnLoopbackThroughTheNat(@TempDir Path dir) throws Exception {
        byte[] body = new byte[300_000];
        new java.util.Random(3).nextBytes(body);
        HttpServer host = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        host.createContext("/blob", ex -> {
            // What the host saw as the client: the gateway's host socket, on loopback.
            ex.getResponseHeaders().add("X-Peer", ex.getRemoteAddress().getAddress().getHostAddress());
            ex.sendResponseHeaders(200, body.length);
            try (var out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        host.start();
        try {
            Path out = dir.resolve("blob");
            Path headers = dir.resolve("with-headers");
            String url = "http://10.0.2.2:" + host.getAddress().getPort() + "/blob";
            CliRun r = CliRun.of("http", "-o", out.toString(), url);

            assertThat(r.status()).as("stderr:%n%s", r.err()).isZero();
            assertThat(Files.readAllBytes(out)).isEqualTo(body);

            CliRun i = CliRun.of("http", "-i", "-o", headers.toString(), url);
            assertThat(i.status()).as("stderr:%n%s", i.err()).isZero();
            assertThat(new String(Files.readAllBytes(headers), StandardCharsets.ISO_8859_1).lines().limit(6))
                    .anySatisfy(h -> assertThat(h).isEqualToIgnoringCase("X-Peer: 127.0.0.1"));
        } finally {
            host.stop(0);
        }
    }

    @Test
    void jnsPingReachesTheGateway() {
        CliRun r = CliRun.of("ping", "-c", "2", "-i", "0.2", "10.0.2.2");

        assertThat(r.status()).as("stdout:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("2 packets transmitted, 2 received");
    }

    @Test
    void aStaticAddressMovesTheGatewaysPlan() throws Exception {
        StackLauncher.Link link = new StackLauncher.Link(null, org.jnetstack.apps.appliance.InterfaceAddress.parse("192.168.76.9/24"),
                null, null, null, null, false, null);
        try (StackLauncher launcher = StackLauncher.startUserNet(link, List.of(), "static-test", null)) {
            assertThat(launcher.lease()).isNull();
            assertThat(launcher.userNet().config().gateway()).isEqualTo(Ipv4Address.parse("192.168.76.2"));
            assertThat(launcher.describe()).startsWith("192.168.76.9/24 on the user-mode network (gateway 192.168.76.2");
        }
    }

    @Test
    void aUserNetConfigAsksDhcpUnlessAddressingIsStatic() {
        var dhcp = org.jnetstack.apps.appliance.ConfigReader.read(org.jnetstack.apps.appliance.TomlDocument.parse(
                "[interface]\ntype = \"usernet\"\n"));
        assertThat(dhcp.addressing().mode()).isEqualTo("dhcp");
        assertThat(dhcp.addressing().address()).isNull();

        var fixed = org.jnetstack.apps.appliance.ConfigReader.read(org.jnetstack.apps.appliance.TomlDocument.parse(
                "[interface]\ntype = \"usernet\"\n[addressing]\nmode = \"static\"\naddress = \"10.0.2.20/24\"\n"));
        assertThat(fixed.addressing().address().address()).isEqualTo(Ipv4Address.parse("10.0.2.20"));

        // A TAP still defaults to static addressing, so a file without an address is refused.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> org.jnetstack.apps.appliance.ConfigReader.read(
                org.jnetstack.apps.appliance.TomlDocument.parse("[interface]\ntype = \"tap\"\nname = \"jns0\"\n")))
                .hasMessageContaining("address is missing");
    }

    @Test
    void jnsDnsWithoutTapAsksTheGatewaysDnsAddress() {
        // What the host's name server says about this name depends on the machine; that jns dns
        // asked 10.0.2.3 (a lease's DNS) instead of refusing for want of --dns does not.
        CliRun r = CliRun.of("dns", "nosuch.invalid");

        assertThat(r.status()).as("stderr:%n%s", r.err()).isNotEqualTo(2);
        assertThat(r.err()).doesNotContain("No DNS server");
    }
}
