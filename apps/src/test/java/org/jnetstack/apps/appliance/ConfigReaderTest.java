package org.jnetstack.apps.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

class ConfigReaderTest {
    private static ApplianceConfig read(String text) {
        return ConfigReader.read(TomlDocument.parse(text));
    }

    private static ConfigException problems(String text) {
        return catchThrowableOfType(ConfigException.class, () -> read(text));
    }

    @Test
    void aCompleteFileBecomesTheConfig() {
        ApplianceConfig c = read("""
                [interface]
                name = "jns0"
                mtu = 9000
                [addressing]
                address = "10.0.0.2/24"
                gateway = "10.0.0.1"
                [admin]
                port = 8080
                public_status = true
                [echo]
                [discard]
                enabled = false
                """);

        assertThat(c.iface().type()).isEqualTo("tap");
        assertThat(c.iface().name()).isEqualTo("jns0");
        assertThat(c.iface().mtu()).isEqualTo(9000);
        assertThat(c.addressing().address()).hasToString("10.0.0.2/24");
        assertThat(c.addressing().gateway()).hasToString("10.0.0.1");
        assertThat(c.admin()).isEqualTo(new ApplianceConfig.Admin(true, 8080, null, null, true));
        assertThat(c.echo()).as("a table present turns its service on").isEqualTo(new ApplianceConfig.Service(true, 7));
        assertThat(c.discard().enabled()).isFalse();
        assertThat(c.capture().ringFrames()).isEqualTo(ConfigReader.DEFAULT_RING_FRAMES);
    }

    @Test
    void aGatewayInterfaceNamesTheGatewaysSocketAndAsksItsDhcpServer() {
        ApplianceConfig c = read("""
                [interface]
                type = "gateway"
                socket = "/run/user/1000/jns-appliance.sock"
                """);

        assertThat(c.iface().type()).isEqualTo("gateway");
        assertThat(c.iface().socket()).hasToString("/run/user/1000/jns-appliance.sock");
        assertThat(c.addressing().mode()).as("the gateway's DHCP server hands out the address").isEqualTo("dhcp");
        assertThat(problems("""
                [interface]
                type = "gateway"
                """).problems()).singleElement().asString().startsWith("[interface] socket is missing");
        assertThat(read("""
                [interface]
                name = "jns0"
                socket = "/tmp/x.sock"
                [addressing]
                address = "10.0.0.2/24"
                """).iface().socket()).as("a socket means nothing to a TAP").isNull();
    }

    @Test
    void aBadValueNamesTheKeyTheValueTheLineAndWhatIsAccepted() {
        ConfigException e = problems("""
                [interface]
                name = "jns0"
                [addressing]
                address = "10.0.0.2/24"
                [admin]
                port = 70000
                """);

        assertThat(e.problems()).containsExactly("[admin] port = 70000 (line 6): expected a whole number 1-65535");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = problems("""
                [interface]
                name = "no/slash"
                mtu = "1500"
                [addressing]
                address = "10.0.0.0/24"
                gateway = "10.0.1.1"
                [admin]
                prot = 80
                password = "short"
                [ehco]
                """);

        assertThat(e.problems()).hasSize(6);
        assertThat(e.getMessage())
                .contains("[interface] name = \"no/slash\" (line 2): expected a Linux interface name")
                .contains("[interface] mtu = \"1500\" (line 3): expected a whole number 68-65535 (without quotes)")
                .contains("[addressing] address = \"10.0.0.0/24\" (line 5): '10.0.0.0/24' is the network address")
                .contains("[admin] unknown key 'prot' (line 8): accepted keys are [enabled, head_timeout_ms, hosts, idle_timeout_ms, max_connections, "
                + "max_connections_per_source, max_head, max_headers, max_line, password, password_hash, port, public_status]")
                .contains("[admin] password = \"...\" (line 9): too short")
                .contains("unknown table [ehco]: accepted tables are [[addressing], [admin], [capture], [discard], [dns], [echo], [interface], [serial], [tftp], [www]]");
        assertThat(e.getMessage()).as("the password itself is never echoed").doesNotContain("short\"");
    }

    @Test
    void wwwNeedsADirectoryAndAPortOfItsOwn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String base = "[interface]\nname = \"jns0\"\n[addressing]\naddress = \"10.0.0.2/24\"\n";
        assertThat(problems(base + "[www]\n").problems()).containsExactly(
                "[www] root is missing: the directory to serve is required, e.g. root = \"/srv/www\" (or --www DIR)");
        assertThat(problems(base + "[www]\nroot = \"" + dir.resolve("none") + "\"\n").getMessage())
                .contains("[www] root = \"" + dir.resolve("none") + "\" (line 6): not a directory");
        assertThat(problems(base + "[admin]\nport = 8000\n[www]\nroot = \"" + dir + "\"\n").getMessage())
                .contains("[www] port: port 8000 is already taken by admin.port");
        var c = ConfigReader.read(TomlDocument.parse(base + "[www]\nroot = \"" + dir + "\"\nport = 8080\n"));
        assertThat(c.www()).isEqualTo(new ApplianceConfig.Www(true, dir, 8080));
    }

    @Test
    void tftpAndSerialSayWhatIsMissingOrClashes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String base = "[interface]\nname = \"jns0\"\n[addressing]\naddress = \"10.0.0.2/24\"\n";
        assertThat(problems(base + "[tftp]\nwrite = true\n").problems()).containsExactly(
                "[tftp] root is missing: the directory to serve is required, e.g. root = \"/srv/tftp\" (or --tftp-root DIR)");
        assertThat(problems(base + "[echo]\n[tftp]\nroot = \"" + dir + "\"\nport = 7\n").getMessage())
                .contains("[tftp] port = 7 (line 8): port 7 is already taken by echo.port (UDP)");
        assertThat(problems(base + "[serial]\n").getMessage()).contains("[serial] the line is missing");
        assertThat(problems(base + "[serial]\ndevice = \"-\"\nexec = \"cat\"\n").getMessage())
                .contains("[serial] device and exec are both set: expected one line");
        assertThat(problems(base + "[serial]\ndevice = \"-\"\ninput = \"some\"\n").getMessage())
                .contains("[serial] input = \"some\" (line 7): expected one of [\"all\", \"first\", \"none\"]");
        assertThat(problems(base + "[serial]\ndevice = \"-\"\nscrollback = 100000\nqueue = 2000\n").getMessage())
                .contains("[serial] queue = 2000 (line 8): smaller than the scrollback");
        assertThat(problems(base + "[admin]\nport = 1234\n[serial]\ndevice = \"-\"\n").getMessage())
                .contains("[serial] port: port 1234 is already taken by admin.port");
        var c = ConfigReader.read(TomlDocument.parse(base + "[tftp]\nenabled = false\nroot = \"/nonexistent\"\n"));
        assertThat(c.tftp().enabled()).as("a root that is off is not checked").isFalse();
    }

    @Test
    void dnsServersAreAListInOneString() {
        String base = "[interface]\nname = \"jns0\"\n[addressing]\naddress = \"10.0.0.2/24\"\n";
        assertThat(ConfigReader.read(TomlDocument.parse(base + "[dns]\nservers = \"10.0.0.1,9.9.9.9  1.1.1.1\"\n")).dns().servers())
                .extracting(Object::toString).containsExactly("10.0.0.1", "9.9.9.9", "1.1.1.1");
        assertThat(problems(base + "[dns]\nservers = \"10.0.0.1, 224.0.0.1\"\n").getMessage())
                .contains("[dns] servers = \"10.0.0.1, 224.0.0.1\" (line 6): '224.0.0.1' is not a server address");
        assertThat(problems(base + "hostname = \"bad_name\"\n").getMessage())
                .contains("[addressing] hostname = \"bad_name\" (line 5): expected letters, digits and hyphens");
    }

    @Test
    void gatewayMustBeAnotherHostOnTheNetwork() {
        String base = "[interface]\nname = \"jns0\"\n[addressing]\naddress = \"10.0.0.2/24\"\n";

        assertThat(problems(base + "gateway = \"10.0.1.1\"\n").getMessage())
                .contains("[addressing] gateway = \"10.0.1.1\" (line 5): not on the network of address 10.0.0.2/24");
        assertThat(problems(base + "gateway = \"10.0.0.2\"\n").getMessage()).contains("is the stack's own address");
    }

    @Test
    void missingInterfaceAndAddressSayHowToGiveThem() {
        assertThat(problems("").problems()).containsExactly(
                "[interface] name is missing: the TAP interface to use is required, e.g. name = \"jns0\" (or --tap NAME)",
                "[addressing] address is missing: static addressing needs address = \"ADDR/PREFIX\" like \"10.0.0.2/24\""
                        + " (or --ip), or mode = \"dhcp\"");
    }

    @Test
    void twoServicesOnOnePortAreRejected() {
        assertThat(problems("""
                [interface]
                name = "jns0"
                [addressing]
                address = "10.0.0.2/24"
                [admin]
                port = 7
                [echo]
                """).problems()).containsExactly(
                "[echo] port: port 7 is already taken by admin.port: expected a port no other service uses");
    }

    @Test
    void aHashNotWrittenByUsIsRejected() {
        assertThat(problems("[interface]\nname = \"j\"\n[addressing]\naddress = \"10.0.0.2/24\"\n"
                + "[admin]\npassword_hash = \"md5:abc\"\n").getMessage())
                .contains("[admin] password_hash = \"md5:abc\" (line 6): expected a hash this program wrote");
    }
}
