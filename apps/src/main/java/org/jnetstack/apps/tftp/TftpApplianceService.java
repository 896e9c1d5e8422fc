package org.jnetstack.apps.tftp;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jnetstack.apps.appliance.Appliance;
import org.jnetstack.apps.appliance.ApplianceConfig;
import org.jnetstack.apps.appliance.ApplianceService;

/**
 * The TFTP server as an {@link ApplianceService}: started by the appliance with the options of
 * the configuration's {@code [tftp]} table ({@link #FROM_CONFIG}; the command line's --tftp-*
 * options are overrides of it), or fixed ones; its counters on the status page.
 */
public final class TftpApplianceService implements ApplianceService {
    private final java.util.function.Function<ApplianceConfig, TftpOptions> settings;

    public TftpApplianceService(java.util.function.Function<ApplianceConfig, TftpOptions> settings) {
        this.settings = settings;
    }

    /** The server as {@code [tftp]} says: off when it is off, restarted when a setting changes. */
    public static final TftpApplianceService FROM_CONFIG = new TftpApplianceService(TftpApplianceService::options);

    static TftpOptions options(ApplianceConfig c) {
        ApplianceConfig.Tftp t = c.tftp();
        if (!t.enabled()) {
            return null;
        }
        return TftpOptions.builder(t.root()).writable(t.write()).maxWriteBytes(t.maxWriteBytes()).port(t.port()).build();
    }

    /** A service that always runs with {@code options}. */
    public static TftpApplianceService fixed(TftpOptions options) {
        return new TftpApplianceService(c -> options);
    }

    @Override
    public String name() {
        return "tftp";
    }

    @Override
    public Object settings(ApplianceConfig config) {
        return settings.apply(config);
    }

    @Override
    public Running start(Appliance a, Object s) throws Exception {
        TftpOptions o = (TftpOptions) s;
        TftpServer server = a.onLoop(() -> TftpServer.start(a.stack(), o));
        return new Running() {
            @Override
            public String listening() {
                return "TFTP on UDP " + a.hostAddress() + ":" + server.port() + " (" + server.status().root() + ", "
                        + (o.writable() ? "read-write" : "read-only") + ")";
            }

            @Override
            public Map<String, Object> status() {
                TftpServer.Status st = server.status();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("port", st.port());
                m.put("root", st.root().toString());
                m.put("writable", st.writable());
                m.put("active", st.activeTransfers());
                m.put("completed", st.completed());
                m.put("failed", st.failed());
                m.put("bytesSent", st.bytesSent());
                m.put("bytesReceived", st.bytesReceived());
                m.put("retransmissions", st.retransmissions());
                return m;
            }

            @Override
            public void close() {
                a.onLoopQuietly(server::close);
            }
        };
    }
}
