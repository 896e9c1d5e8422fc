package org.jnetstack.apps.cli;

import org.jnetstack.apps.appliance.InterfaceAddress;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Well-formed command lines become the values the stack is built from. */
class OptionParsingTest {
    private static <T> T parse(Class<T> type, String... args) {
        StringWriter sink = new StringWriter();
        CommandLine cl = Main.commandLine(new PrintWriter(sink), new PrintWriter(sink));
        ParseResult pr = cl.parseArgs(args);
        return pr.subcommand().commandSpec().commandLine().getCommand();
    }

    @Test
    void stackOptionsCarryEveryValue() {
        RunCommand run = parse(RunCommand.class, "run", "--tap", "jns0", "--ip", "10.1.2.3/16", "--gateway", "10.1.0.1",
                "--mac", "02:AB:cd:00:00:09", "--mtu", "9000", "--pcap", "out.pcap", "--trace", "--echo");
        StackOptions o = run.stackOptions;
        o.validate();

        assertThat(o.tap()).isEqualTo("jns0");
        assertThat(o.ip().address()).isEqualTo(Ipv4Address.parse("10.1.2.3"));
        assertThat(o.ip().prefixLength()).isEqualTo(16);
        assertThat(o.ip().netmask()).isEqualTo(0xFFFF0000);
        assertThat(o.gateway()).isEqualTo(Ipv4Address.parse("10.1.0.1"));
        assertThat(o.mac()).isEqualTo(new MacAddress(0x02ABCD000009L));
        assertThat(o.mtu()).isEqualTo(9000);
        assertThat(o.pcap()).isEqualTo(Path.of("out.pcap"));
        assertThat(o.trace()).isTrue();
        assertThat(run.echo).isTrue();
    }

    @Test
    void optionalStackOptionsDefaultToUnset() {
        RunCommand run = parse(RunCommand.class, "run", "--tap", "jns0", "--ip", "10.0.0.2/24");
        StackOptions o = run.stackOptions;

        assertThat(o.gateway()).isNull();
        assertThat(o.mac()).isNull();
        assertThat(o.mtu()).isNull();
        assertThat(o.pcap()).isNull();
        assertThat(o.trace()).isFalse();
        assertThat(run.echo).isFalse();
    }

    @Test
    void pingDefaultsAreThoseOfPing8() {
        PingCommand ping = parse(PingCommand.class, "ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "10.0.0.1");

        assertThat(ping.count).as("no -c: until interrupted").isNull();
        assertThat(ping.intervalNanos).isEqualTo(1_000_000_000L);
        assertThat(ping.size).isEqualTo(56);
        assertThat(ping.timeoutNanos).isEqualTo(10_000_000_000L);
        assertThat(ping.hostText).isEqualTo("10.0.0.1");
    }

    @Test
    void pingTakesDecimalSecondsAndSizes() {
        PingCommand ping = parse(PingCommand.class, "ping", "--tap", "jns0", "--ip", "10.0.0.2/24",
                "-c", "5", "-i", "0.01", "-s", "8000", "-W", "1.5", "10.0.0.1");

        assertThat(ping.count).isEqualTo(5);
        assertThat(ping.intervalNanos).isEqualTo(10_000_000L);
        assertThat(ping.size).isEqualTo(8000);
        assertThat(ping.timeoutNanos).isEqualTo(1_500_000_000L);
    }

    @Test
    void slash31AndSlash32AreHostAddresses() {
        // RFC 3021: both addresses of a /31 are hosts; a /32 has no network or broadcast address.
        assertThat(InterfaceAddress.parse("10.0.0.0/31").address()).isEqualTo(Ipv4Address.parse("10.0.0.0"));
        assertThat(InterfaceAddress.parse("10.0.0.1/31").prefixLength()).isEqualTo(31);
        assertThat(InterfaceAddress.parse("10.0.0.255/32").prefixLength()).isEqualTo(32);
    }

    @Test
    void sameNetworkFollowsThePrefix() {
        InterfaceAddress a = InterfaceAddress.parse("192.168.1.10/24");

        assertThat(a.sameNetwork(Ipv4Address.parseBits("192.168.1.1"))).isTrue();
        assertThat(a.sameNetwork(Ipv4Address.parseBits("192.168.2.1"))).isFalse();
        assertThat(a).hasToString("192.168.1.10/24");
    }
}
