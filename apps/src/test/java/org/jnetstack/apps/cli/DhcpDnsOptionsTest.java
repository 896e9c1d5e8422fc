package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** --dhcp, --hostname and --dns, and jns dns: usage errors exit 2 before any device is touched. */
class DhcpDnsOptionsTest {
    @Test
    void dhcpAndIpExcludeEachOther() {
        CliRun r = CliRun.of("ping", "--tap", "jns0", "--dhcp", "--ip", "10.0.0.2/24", "10.0.0.1");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--dhcp and --ip exclude each other");
    }

    @Test
    void gatewayComesFromTheLease() {
        CliRun r = CliRun.of("nc", "--tap", "jns0", "--dhcp", "--gateway", "10.0.0.1", "10.0.0.1", "80");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--gateway cannot be combined with --dhcp");
    }

    @Test
    void hostnameNeedsDhcpAndAValidName() {
        assertThat(CliRun.of("ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "--hostname", "box", "10.0.0.1").err())
                .contains("--hostname is sent to a DHCP server: use it with --dhcp");
        CliRun bad = CliRun.of("ping", "--tap", "jns0", "--dhcp", "--hostname", "bad_name!", "10.0.0.1");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("Invalid --hostname 'bad_name!'");
    }

    @Test
    void missingAddressNamesBothWays() {
        CliRun r = CliRun.of("ping", "--tap", "jns0", "10.0.0.1");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--ip ADDR/PREFIX'", "or '--dhcp'");
    }

    @Test
    void dnsServersMustBeAddresses() {
        CliRun r = CliRun.of("dns", "--tap", "jns0", "--ip", "10.0.0.2/24", "--dns", "ns.example", "example.com");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--dns", "'ns.example'");
    }

    @Test
    void jnsDnsNeedsAServerOrDhcp() {
        CliRun r = CliRun.of("dns", "--tap", "jns0", "--ip", "10.0.0.2/24", "example.com");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("No DNS server: give --dns ADDR");
    }

    @Test
    void jnsDnsNeedsAName() {
        CliRun r = CliRun.of("dns", "--tap", "jns0", "--ip", "10.0.0.2/24", "--dns", "10.0.0.1");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter: 'NAME'");
    }

    @Test
    void helpListsTheNewOptions() {
        CliRun r = CliRun.of("dns", "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("--dhcp", "--dns ADDR", "--hostname NAME", "-v, --verbose", "NAME");
        assertThat(CliRun.of("--help").out()).contains("dns");
    }
}
