package org.jnetstack.apps.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jnetstack.NetStack;
import org.jnetstack.link.PcapRing;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpInfo;
import org.jnetstack.tcp.TcpState;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The appliance over a stack on a virtual wire (real-time loop): services, status, live changes. */
class ApplianceTest {
    @TempDir
    Path dir;

    private VirtualAppliance v;
    private Appliance appliance;
    private NetStack server;
    private NetStack client;
    private PcapRing ring;

    private void start(String toml) throws Exception {
        v = new VirtualAppliance(dir, toml, List.of(EchoServices.ECHO, EchoServices.DISCARD));
        appliance = v.appliance;
        server = v.server;
        client = v.client;
        ring = v.ring;
    }

    @AfterEach
    void close() {
        if (v != null) {
            v.close();
        }
    }

    @Test
    void startsWhatTheConfigTurnsOnAndSaysWhereItListens() throws Exception {
        start(BASE + "[echo]\n");

        assertThat(appliance.listening()).containsExactly("echo on UDP and TCP 10.0.0.2:7");
        assertThat(listenerPorts()).containsExactly(7);
        assertThat(appliance.onLoop(() -> server.udp().endpoints().size())).isEqualTo(1);
    }

    @Test
    void dnsServersChangeAtOnceAndTheLeaseIsShown() throws Exception {
        start(BASE + "[dns]\nservers = \"10.0.0.1\"\n");
        List<List<Ipv4Address>> given = new java.util.ArrayList<>();
        var lease = new org.jnetstack.dhcp.DhcpLease(Ipv4Address.parse("10.0.0.2"), 24, List.of(Ipv4Address.parse("10.0.0.1")),
                List.of(Ipv4Address.parse("10.0.0.53")), "lan", 1500, Ipv4Address.parse("10.0.0.1"),
                java.time.Duration.ofHours(1), java.time.Duration.ofMinutes(30), java.time.Duration.ofMinutes(52), 0);
        appliance.useNetwork(() -> lease, given::add);

        Appliance.ChangeResult r = appliance.change(Map.of("dns.servers", "9.9.9.9, 10.0.0.1"));
        assertThat(r.applied()).containsExactly("dns");
        assertThat(given).containsExactly(List.of(Ipv4Address.parse("9.9.9.9"), Ipv4Address.parse("10.0.0.1")));
        assertThat(Files.readString(v.file)).contains("servers = \"9.9.9.9, 10.0.0.1\"");

        @SuppressWarnings("unchecked")
        Map<String, Object> addressing = (Map<String, Object>) appliance.status().get("addressing");
        assertThat(addressing.get("dns")).isEqualTo(List.of("9.9.9.9", "10.0.0.1"));
        assertThat(addressing.get("lease")).isEqualTo(Map.of("address", "10.0.0.2/24", "router", "10.0.0.1",
                "dns", List.of("10.0.0.53"), "server", "10.0.0.1", "leaseSeconds", 3600L, "domain", "lan"));

        assertThat(appliance.change(Map.of("dns.servers", "")).restartNeeded())
                .as("back to the lease's servers takes a restart").containsExactly("dns");
    }

    @Test
    void statusShowsALiveConnectionWithItsInfo() throws Exception {
        start(BASE + "[echo]\n");
        TcpConnection c = appliance.onLoop(() -> client.tcp().connect(Ipv4Address.parseBits("10.0.0.2"), 7, new TcpHandler() { }));
        for (int i = 0; i < 500 && appliance.onLoop(c::state) != TcpState.ESTABLISHED; i++) {
            Thread.sleep(10);
        }

        Map<String, Object> s = appliance.status();

        @SuppressWarnings("unchecked")
        List<TcpInfo> conns = (List<TcpInfo>) ((Map<String, Object>) s.get("tcp")).get("connections");
        assertThat(conns).singleElement().satisfies(i -> {
            assertThat(i.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(i.local()).isEqualTo("10.0.0.2:7");
        });
        assertThat(s.get("arp").toString()).contains("10.0.0.1");
        assertThat(s.get("routes").toString()).contains("10.0.0.0/24");
        assertThat(s.get("services").toString()).contains("name=echo, state=running").contains("tcpAccepted=1")
                .contains("name=discard, state=off");
        assertThat(ring.size()).as("the handshake is in the capture ring").isGreaterThanOrEqualTo(3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void statusShowsIpv6AddressesAndTheNeighbourAPingTaught() throws Exception {
        start(BASE + "[echo]\n");
        Map<String, Object> v6 = null;
        for (int i = 0; i < 500; i++) { // duplicate address detection takes a second of real time
            v6 = (Map<String, Object>) appliance.status().get("ipv6");
            if (v6.get("addresses").toString().contains("state=preferred")) {
                break;
            }
            Thread.sleep(10);
        }
        assertThat(v6.get("enabled")).isEqualTo(true);
        List<Map<String, Object>> addresses = (List<Map<String, Object>>) v6.get("addresses");
        assertThat(addresses).singleElement().satisfies(a -> {
            assertThat((String) a.get("address")).startsWith("fe80::").endsWith("/64");
            assertThat(a.get("origin")).isEqualTo("link_local");
            assertThat(a.get("state")).isEqualTo("preferred");
            assertThat(a.get("validSeconds")).isEqualTo(-1L);
        });
        org.jnetstack.wire.Ipv6Address serverLl = org.jnetstack.wire.Ipv6Address.parse(
                ((String) addresses.get(0).get("address")).replace("/64", ""));
        java.util.concurrent.CompletableFuture<Integer> reply = new java.util.concurrent.CompletableFuture<>();
        for (int i = 0; i < 500 && appliance.onLoop(() -> client.ipv6Addresses().get(0).state())
                != org.jnetstack.ip6.AddressState.PREFERRED; i++) {
            Thread.sleep(10);
        }
        appliance.onLoop(() -> {
            client.ping6(serverLl, 7, 1, 8, java.time.Duration.ofSeconds(5), new org.jnetstack.ip6.Ping6Listener() {
                @Override
                public void onReply(int sequence, long fromHi, long fromLo, int hopLimit, int bytes, long rttNanos) {
                    reply.complete(sequence);
                }

                @Override
                public void onFailure(int sequence, long fromHi, long fromLo, String reason) {
                    reply.completeExceptionally(new AssertionError(reason));
                }
            });
            return null;
        });
        assertThat(reply.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);

        v6 = (Map<String, Object>) appliance.status().get("ipv6");
        String clientLl = appliance.onLoop(() -> client.ipv6Addresses().get(0).address().toString());
        assertThat((List<Map<String, Object>>) v6.get("neighbors")).anySatisfy(n -> {
            assertThat(n.get("ip")).isEqualTo(clientLl);
            assertThat(n.get("mac")).isEqualTo(appliance.onLoop(() -> client.interfaces().get(0).mac().toString()));
        });
        assertThat(v6.get("routers")).isEqualTo(List.of());
        assertThat(v6.get("dns")).isEqualTo(List.of());
        assertThat(v6.get("dhcpv6Dns")).isEqualTo(List.of());

        // What stateless DHCPv6 learnt shows with the DNS servers, and apart with its search list.
        appliance.onLoop(() -> {
            appliance.stack().ipv6().interfaces().get(0).routers().setDhcpv6Options(
                    List.of(org.jnetstack.wire.Ipv6Address.parse("2001:db8::53")), List.of("lab.example"));
            return null;
        });
        v6 = (Map<String, Object>) appliance.status().get("ipv6");
        assertThat(v6.get("dns")).isEqualTo(List.of("2001:db8::53"));
        assertThat(v6.get("dhcpv6Dns")).isEqualTo(List.of("2001:db8::53"));
        assertThat(v6.get("dhcpv6Domains")).isEqualTo(List.of("lab.example"));
    }

    @Test
    void aChangeMovesAServiceAndIsWrittenToTheFile() throws Exception {
        start(BASE + "[echo]\n");

        Appliance.ChangeResult r = appliance.change(Map.of("echo.port", 7007, "discard.enabled", true));

        assertThat(r.applied()).containsExactlyInAnyOrder("echo", "discard");
        assertThat(r.restartNeeded()).isEmpty();
        assertThat(listenerPorts()).containsExactlyInAnyOrder(7007, 9);
        assertThat(Files.readString(dir.resolve("jns.toml"))).contains("[echo]\nport = 7007\n").contains("[discard]\nenabled = true\n");
        assertThat(appliance.listening()).containsExactly("echo on UDP and TCP 10.0.0.2:7007", "discard on TCP 10.0.0.2:9");

        appliance.change(Map.of("echo.enabled", false));

        assertThat(listenerPorts()).containsExactly(9);
        assertThat(appliance.onLoop(() -> server.udp().endpoints().size())).isZero();
    }

    @Test
    void anAddressChangeAppliesAtOnceAnInterfaceChangeAtTheNextStart() throws Exception {
        start(BASE);

        Appliance.ChangeResult r = appliance.change(Map.of("addressing.address", "10.0.0.3/24", "interface.mtu", 9000));

        assertThat(r.applied()).containsExactly("addressing");
        assertThat(r.restartNeeded()).containsExactly("interface");
        assertThat(appliance.onLoop(() -> Ipv4Address.format(server.iface().address()))).isEqualTo("10.0.0.3");
        assertThat(appliance.hostAddress()).isEqualTo("10.0.0.3");
        assertThat(appliance.status().get("config").toString()).contains("restartNeeded=[interface]");
    }

    private List<Integer> listenerPorts() throws Exception {
        return v.listenerPorts();
    }

    private static final String BASE = VirtualAppliance.BASE;
}
