package org.jnetstack.apps.serial;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.jnetstack.apps.appliance.ConfigReader;
import org.jnetstack.apps.appliance.TomlDocument;
import org.jnetstack.apps.serial.SerialApplianceService.Settings;
import org.junit.jupiter.api.Test;

/** {@code [serial]} in the config file, read into the bridge's line and options. */
class SerialFromConfigTest {
    private static final String BASE = "[interface]\nname = \"jns0\"\n[addressing]\naddress = \"10.0.0.2/24\"\n[serial]\n";

    private static Settings settings(String serial) {
        return SerialApplianceService.settingsOf(ConfigReader.read(TomlDocument.parse(BASE + serial)));
    }

    @Test
    void theConfigDefaultsAreTheBridgesDefaults() {
        SerialBridgeOptions d = SerialBridgeOptions.defaults();
        assertThat(settings("device = \"-\"\n").options()).isEqualTo(d);
        assertThat(ConfigReader.DEFAULT_SERIAL_PORT).isEqualTo(d.port());
        assertThat(ConfigReader.DEFAULT_SERIAL_SCROLLBACK).isEqualTo(d.scrollbackBytes());
        assertThat(ConfigReader.DEFAULT_SERIAL_QUEUE).isEqualTo(d.clientQueueBytes());
        assertThat(ConfigReader.DEFAULT_SERIAL_STALL_TIMEOUT_MS).isEqualTo(d.stallTimeoutMillis());
    }

    @Test
    void eachKindOfLineAndEveryOption() {
        assertThat(settings("device = \"-\"\n").source()).isEqualTo(new SerialSource.Stdio());
        assertThat(settings("device = \"/dev/ttyS0\"\n").source()).isEqualTo(new SerialSource.Device(Path.of("/dev/ttyS0")));
        assertThat(settings("exec = \"qemu-system-x86_64 -nographic\"\n").source())
                .isEqualTo(new SerialSource.Exec("qemu-system-x86_64 -nographic"));
        assertThat(settings("unix = \"/run/vm.sock\"\n").source()).isEqualTo(new SerialSource.Unix(Path.of("/run/vm.sock")));

        SerialBridgeOptions o = settings("""
                device = "-"
                port = 2323
                input = "first"
                scrollback = 1000
                queue = 4096
                overflow = "disconnect"
                telnet = true
                stall_timeout_ms = 1500
                """).options();
        assertThat(o).isEqualTo(new SerialBridgeOptions(2323, SerialBridgeOptions.InputPolicy.FIRST, 1000, 4096,
                SerialBridgeOptions.OverflowPolicy.DISCONNECT, true, SerialBridgeOptions.DEFAULT_MAX_CLIENTS, null, false,
                SerialBridgeOptions.DEFAULT_LOGIN_TRIES, 1500));
        assertThat(settings("device = \"-\"\nenabled = false\n")).isNull();
    }
}
