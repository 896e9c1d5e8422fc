package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed command line ends in exit status 2 with a message that names the problem
 * and the accepted form, before any device is touched (so these run without root).
 */
class UsageErrorTest {
    static Stream<Arguments> malformed() {
        return Stream.of(
                // args, fragments the error must contain
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.300/24"},
                        new String[] {"--ip", "10.0.0.300", "ADDR/PREFIX like 10.0.0.2/24"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.1/33"},
                        new String[] {"--ip", "prefix length '33'", "0-32"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.1"},
                        new String[] {"--ip", "no prefix length", "ADDR/PREFIX"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.1/"},
                        new String[] {"--ip", "prefix length ''", "0-32"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.0/24"},
                        new String[] {"--ip", "network address", "host address"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.255/24"},
                        new String[] {"--ip", "broadcast address", "host address"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "224.0.0.5/24"},
                        new String[] {"--ip", "multicast"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "127.0.0.2/8"},
                        new String[] {"--ip", "loopback"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--ip6", "fd00::2"},
                        new String[] {"--ip6", "'fd00::2'", "ADDR/PREFIX", "like fd00::2/64"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--ip6", "fd00::zz/64"},
                        new String[] {"--ip6", "'fd00::zz/64'", "like fd00::2/64"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--ip6", "fd00::2/129"},
                        new String[] {"--ip6", "prefix length 1-128"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--ip6", "ff02::1/64"},
                        new String[] {"--ip6", "not multicast"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--ip6", "fd00::2/64", "--no-ipv6"},
                        new String[] {"--no-ipv6 and --ip6 exclude each other"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--mac", "02:00:00:00:00"},
                        new String[] {"--mac", "'02:00:00:00:00'", "six hex bytes like 02:00:00:00:00:01"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--mac", "02:00:00:00:00:zz"},
                        new String[] {"--mac", "six hex bytes"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--mac", "01:00:5e:00:00:01"},
                        new String[] {"--mac", "not a unicast MAC address"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--mtu", "67"},
                        new String[] {"--mtu", "'67'", "68-65535"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--mtu", "65536"},
                        new String[] {"--mtu", "'65536'", "68-65535"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--mtu", "big"},
                        new String[] {"--mtu", "'big'", "68-65535"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--gateway", "10.0.0.256"},
                        new String[] {"--gateway", "'10.0.0.256'", "like 10.0.0.1"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--gateway", "10.0.1.1"},
                        new String[] {"Gateway 10.0.1.1 is not on the network of --ip 10.0.0.2/24", "like 10.0.0.1"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--gateway", "10.0.0.2"},
                        new String[] {"Gateway 10.0.0.2 is the stack's own address"}),
                Arguments.of(new String[] {"run", "--tap", "a/b", "--ip", "10.0.0.2/24"},
                        new String[] {"--tap", "'a/b'", "1-15 characters"}),
                Arguments.of(new String[] {"run", "--tap", "a-name-longer-than15", "--ip", "10.0.0.2/24"},
                        new String[] {"--tap", "1-15 characters"}),
                Arguments.of(new String[] {"run", "--tap", "jns0"},
                        new String[] {"Missing required option", "--ip ADDR/PREFIX"}),
                Arguments.of(new String[] {"run", "--forward", "tcp:80"},
                        new String[] {"invalid forward 'tcp:80'", "tcp:[HOSTADDR:]HOSTPORT:GUESTPORT"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--forward", "tcp:8080:80"},
                        new String[] {"--forward works on the user-mode network only"}),
                Arguments.of(new String[] {"run", "--gateway-socket", "/tmp/x.sock", "--tap", "jns0"},
                        new String[] {"--gateway-socket and --tap are two different links"}),
                Arguments.of(new String[] {"run", "--gateway-socket", "/tmp/x.sock", "--forward", "tcp:8080:80"},
                        new String[] {"give --forward to `jns gateway`"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "--bogus"},
                        new String[] {"Unknown option: '--bogus'"}),
                Arguments.of(new String[] {"run", "--tap", "jns0", "--ip", "10.0.0.2/24", "extra"},
                        new String[] {"Unmatched argument", "'extra'"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "10.0.0.300"},
                        new String[] {"HOST", "'10.0.0.300' is not an IPv4 address"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "fd00::zz"},
                        new String[] {"HOST", "'fd00::zz' is not an IPv6 address", "[fd00::1]", "host name"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "bad_host!"},
                        new String[] {"HOST", "'bad_host!' is not a host", "10.0.0.1", "fd00::1"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "-4", "fd00::1"},
                        new String[] {"-4 asks for IPv4", "fd00::1"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "-6", "10.0.0.1"},
                        new String[] {"-6 asks for IPv6", "10.0.0.1"}),
                Arguments.of(new String[] {"nc", "--tap", "jns0", "--ip", "10.0.0.2/24", "[fd00::1]"},
                        new String[] {"Missing PORT", "[fd00::1]:5000"}),
                Arguments.of(new String[] {"nc", "--tap", "jns0", "--ip", "10.0.0.2/24", "[fd00::1:5000"},
                        new String[] {"Missing PORT", "[IPv6]:PORT"}),
                Arguments.of(new String[] {"nc", "--tap", "jns0", "--ip", "10.0.0.2/24", "-4", "[fd00::1]:80"},
                        new String[] {"-4 asks for IPv4"}),
                Arguments.of(new String[] {"http", "--tap", "jns0", "--ip", "10.0.0.2/24", "http://fd00::1:8000/"},
                        new String[] {"must be written in brackets", "http://[fd00::1]:8000/"}),
                Arguments.of(new String[] {"http", "--tap", "jns0", "--ip", "10.0.0.2/24", "http://[fd00::zz]:8000/"},
                        new String[] {"'[fd00::zz]' is not an IPv6 address"}),
                Arguments.of(new String[] {"dns", "--tap", "jns0", "--ip", "10.0.0.2/24", "--dns", "[fd00::53]:99999", "x.test"},
                        new String[] {"--dns", "[fd00::53]:5353"}),
                Arguments.of(new String[] {"dns", "--tap", "jns0", "--ip", "10.0.0.2/24", "--dns", "fd00::53", "-t", "MX", "x.test"},
                        new String[] {"'MX' is not a record type", "A or AAAA"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24"},
                        new String[] {"Missing required parameter: 'HOST'"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "-c", "0", "10.0.0.1"},
                        new String[] {"-c", "'0'", "1 or more"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "-s", "65508", "10.0.0.1"},
                        new String[] {"-s", "'65508'", "0-65507"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "-i", "0", "10.0.0.1"},
                        new String[] {"-i", "'0'", "0.001"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "-W", "soon", "10.0.0.1"},
                        new String[] {"-W", "'soon'", "seconds"}),
                Arguments.of(new String[] {"ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "10.0.1.1"},
                        new String[] {"Network is unreachable", "10.0.1.1", "--gateway"}),
                Arguments.of(new String[] {"ping", "--ip", "10.0.0.2/24", "--gateway", "10.0.0.1", "10.0.0.1"},
                        new String[] {"--gateway needs --tap", "user-mode network"}),
                Arguments.of(new String[] {"ping", "--ip", "10.0.0.2/24", "10.0.0.1"},
                        new String[] {"--ip 10.0.0.2/24 cannot be the guest on the user-mode network", "10.0.2.15/24"}),
                Arguments.of(new String[] {"ping", "--ip", "10.0.0.21/30", "10.0.0.1"},
                        new String[] {"cannot be the guest", "prefix 28 or shorter"}),
                Arguments.of(new String[] {"nc", "--tap", "jns0", "--ip", "10.0.0.2/24", "10.0.0.1"},
                        new String[] {"Missing PORT", "HOST PORT", "-l PORT"}),
                Arguments.of(new String[] {"nc", "--tap", "jns0", "--ip", "10.0.0.2/24", "10.0.0.1", "65536"},
                        new String[] {"'65536' is not a valid port", "1-65535"}),
                Arguments.of(new String[] {"nc", "--tap", "jns0", "--ip", "10.0.0.2/24", "-l", "10.0.0.1", "80"},
                        new String[] {"With -l give only the PORT"}),
                Arguments.of(new String[] {"nc", "--tap", "jns0", "--ip", "10.0.0.2/24", "-l", "http"},
                        new String[] {"'http' is not a valid port"}),
                Arguments.of(new String[] {"nc", "--tap", "jns0", "--ip", "10.0.0.2/24", "10.0.0.300", "80"},
                        new String[] {"'10.0.0.300' is not an IPv4 address"}),
                Arguments.of(new String[] {"nc", "--tap", "jns0", "--ip", "10.0.0.2/24", "10.0.1.1", "80"},
                        new String[] {"Network is unreachable", "10.0.1.1", "--gateway"}),
                Arguments.of(new String[] {"nc", "--tap", "jns0", "--ip", "10.0.0.2/24"},
                        new String[] {"Missing required parameter", "HOST PORT"}),
                Arguments.of(new String[] {"fly"},
                        new String[] {"Unmatched argument", "'fly'"}),
                Arguments.of(new String[] {},
                        new String[] {"Missing command", "run", "ping"}));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedCommandLineIsAUsageErrorNamingTheProblem(String[] args, String[] expected) {
        CliRun r = CliRun.of(args);

        assertThat(r.status()).as("exit status; stderr:%n%s", r.err()).isEqualTo(2);
        assertThat(r.err()).contains(expected);
        assertThat(r.err()).as("usage error ends with how to get help").contains("--help' for details.");
        assertThat(r.out()).as("nothing on stdout").isEmpty();
    }

    @Test
    void usageErrorShowsTheSynopsisOfTheCommandThatFailed() {
        CliRun r = CliRun.of("ping", "--tap", "jns0", "--ip", "10.0.0.2/24", "-c", "x", "10.0.0.1");

        assertThat(r.err()).contains("Usage: jns ping ").contains("HOST").contains("Run 'jns ping --help' for details.");
    }
}
