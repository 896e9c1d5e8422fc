package org.jnetstack.apps.serial;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.jnetstack.apps.appliance.Appliance;
import org.jnetstack.apps.appliance.ApplianceConfig;
import org.jnetstack.apps.appliance.ApplianceService;

/**
 * The serial console bridge as an {@link ApplianceService}: opens the line (off the loop: it
 * may start a process or connect a socket), then starts the bridge on the loop; its counters
 * go to the status page. Settings come from the configuration's {@code [serial]} table
 * ({@link #FROM_CONFIG}; the command line's --serial* options are overrides of it), or are fixed.
 */
public final class SerialApplianceService implements ApplianceService {
    /** What the service runs with: where the line is, and the bridge's options. */
    public record Settings(SerialSource source, SerialBridgeOptions options) {
    }

    /** The running service, as the admin page's terminal reaches the bridge. */
    public interface Console extends Running {
        SerialBridge bridge();
    }

    private final Function<ApplianceConfig, Settings> settings;

    public SerialApplianceService(Function<ApplianceConfig, Settings> settings) {
        this.settings = settings;
    }

    /** The bridge as {@code [serial]} says: off when it is off, restarted when a setting changes. */
    public static final SerialApplianceService FROM_CONFIG = new SerialApplianceService(SerialApplianceService::settingsOf);

    static Settings settingsOf(ApplianceConfig c) {
        ApplianceConfig.Serial s = c.serial();
        if (!s.enabled()) {
            return null;
        }
        SerialSource source = s.device() != null
                ? (s.device().equals("-") ? new SerialSource.Stdio() : new SerialSource.Device(java.nio.file.Path.of(s.device())))
                : s.exec() != null ? new SerialSource.Exec(s.exec()) : new SerialSource.Unix(s.unix());
        SerialBridgeOptions o = SerialBridgeOptions.defaults()
                .withPort(s.port())
                .withInput(SerialBridgeOptions.InputPolicy.parse(s.input()))
                .withScrollback((int) s.scrollbackBytes())
                .withClientQueue((int) s.queueBytes())
                .withOverflow(SerialBridgeOptions.OverflowPolicy.parse(s.overflow()))
                .withTelnet(s.telnet())
                .withStallTimeoutMillis(s.stallTimeoutMillis());
        if (s.login() != null) {
            ApplianceConfig.SerialLogin l = s.login();
            o = o.withPassword(l.password() != null ? SerialPassword.plain(l.password()) : SerialPassword.hashed(l.passwordHash()))
                    .withOutputNeedsLogin(l.outputNeedsLogin());
        }
        return new Settings(source, o);
    }

    public static SerialApplianceService fixed(SerialSource source, SerialBridgeOptions options) {
        Settings s = new Settings(source, options);
        return new SerialApplianceService(c -> s);
    }

    @Override
    public String name() {
        return "serial";
    }

    @Override
    public Object settings(ApplianceConfig config) {
        return settings.apply(config);
    }

    @Override
    public Running start(Appliance a, Object s) throws Exception {
        Settings st = (Settings) s;
        SerialLine line = st.source().open();
        SerialBridge bridge;
        try {
            bridge = a.onLoop(() -> SerialBridge.start(a.stack(), line, st.options()));
        } catch (Exception | Error e) {
            line.close();
            throw e;
        }
        return new Console() {
            @Override
            public SerialBridge bridge() {
                return bridge;
            }

            @Override
            public String listening() {
                SerialBridgeOptions o = st.options();
                return "serial console on TCP " + a.hostAddress() + ":" + bridge.port() + " (" + line.describe()
                        + ", input " + o.input().name().toLowerCase(java.util.Locale.ROOT)
                        + (o.telnet() ? ", telnet" : "")
                        + (o.password() == null ? ", no password"
                                : o.outputNeedsLogin() ? ", password to read and type" : ", password to type") + ")";
            }

            @Override
            public Map<String, Object> status() {
                SerialBridge.Status b = bridge.status();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("port", b.port());
                m.put("line", b.line());
                m.put("lineState", b.lineState());
                m.put("clients", b.clients());
                m.put("lineBytesIn", b.lineBytesIn());
                m.put("lineBytesOut", b.lineBytesOut());
                m.put("droppedBytes", b.droppedBytes());
                m.put("disconnectedSlow", b.disconnectedSlow());
                m.put("inputDiscarded", b.inputDiscarded());
                m.put("password", st.options().password() != null);
                m.put("httpRejected", b.httpRejected());
                m.put("loginFailures", b.loginFailures());
                SerialBridge.FlowStatus f = bridge.flow();
                m.put("linePauses", f.pauses());
                m.put("linePausedMillis", f.pausedMillis());
                m.put("stalledClients", f.stalledClients());
                m.put("loginThrottled", bridge.loginThrottled());
                return m;
            }

            @Override
            public void close() {
                a.onLoopQuietly(bridge::close);
            }
        };
    }
}
