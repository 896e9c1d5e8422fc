package org.jnetstack.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Extensions;
import org.jnetstack.wire.Malformed;
import org.junit.jupiter.api.Test;

/**
 * The seeds of {@link WireFuzzTest#icmpv6} and {@link WireFuzzTest#ipv6Extensions} reach the
 * code behind the checks: each captured ICMPv6 message verifies with the addresses in its seed,
 * and each chain walks to the verdict it was written for. Without that, regression runs of the
 * fuzz tests would assert nothing.
 */
class Ipv6WireSeedsTest {
    private static final Path DIR = Path.of("src/test/resources/org/jnetstack/fuzz/WireFuzzTestInputs");

    private static byte[] seed(String method, String name) throws IOException {
        return Files.readAllBytes(DIR.resolve(method).resolve(name));
    }

    @Test
    void everyCapturedIcmpv6SeedPassesItsCheck() throws IOException {
        String[] names = {"echo_request", "port_unreachable", "neighbor_solicitation", "neighbor_advertisement",
            "router_solicitation", "router_advertisement", "mld_query", "mldv2_report", "dad_neighbor_solicitation"};
        for (String name : names) {
            byte[] d = seed("icmpv6", name);
            assertThat(d[0] & 7).as(name).isZero();
            Icmpv6Message m = new Icmpv6Message().wrap(d, 33, d.length - 33);
            assertThat(m.check(Bytes.getI64(d, 1), Bytes.getI64(d, 9), Bytes.getI64(d, 17), Bytes.getI64(d, 25)))
                    .as(name).isNull();
        }
    }

    @Test
    void everyChainSeedWalksToItsVerdict() throws IOException {
        Ipv6Extensions ext = new Ipv6Extensions();
        assertThat(walk(ext, "hop_by_hop_router_alert")).isNull();
        assertThat(ext.routerAlert()).isTrue();
        assertThat(walk(ext, "fragment_first")).isNull();
        assertThat(ext.moreFragments()).isTrue();
        assertThat(walk(ext, "fragment_last")).isNull();
        assertThat(ext.fragmentOffset()).isEqualTo(2896);
        assertThat(walk(ext, "no_extension_headers")).isNull();
        assertThat(walk(ext, "routing_type0")).isEqualTo(Malformed.BAD_ROUTING_HEADER);
        assertThat(walk(ext, "atomic_fragment_options")).isEqualTo(Malformed.UNRECOGNIZED_OPTION);
        assertThat(ext.atomicFragment()).isTrue();
        assertThat(walk(ext, "found-nonfirst-fragment-next-header-0")).isNull();
    }

    private static Malformed walk(Ipv6Extensions ext, String name) throws IOException {
        byte[] d = seed("ipv6Extensions", name);
        return ext.walk(d, 2, d.length - 2, d[1] & 0xFF);
    }
}
