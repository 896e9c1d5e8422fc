package org.jnetstack.apps.httpd;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jnetstack.apps.appliance.Appliance;
import org.jnetstack.apps.appliance.ApplianceConfig;
import org.jnetstack.apps.appliance.ApplianceService;

/** Static files ({@code --www DIR}, {@code [www]}) as an appliance service, on the appliance's server sockets. */
public final class WwwService implements ApplianceService {
    public static final WwwService INSTANCE = new WwwService();

    private WwwService() {
    }

    @Override
    public String name() {
        return "www";
    }

    @Override
    public Object settings(ApplianceConfig c) {
        return c.www().enabled() ? c.www() : null;
    }

    @Override
    public Running start(Appliance a, Object settings) throws Exception {
        ApplianceConfig.Www w = (ApplianceConfig.Www) settings;
        StaticFiles files = new StaticFiles(w.root());
        StackHttpServer server = StackHttpServer.start(a.serverSockets(), a.serverBindAddress(), w.port(),
                HttpLimits.of(w.http()), files);
        return new Running() {
            @Override
            public String listening() {
                return "web files on http://" + a.listeningHost() + ":" + server.port() + "/ (" + files.root() + ")";
            }

            @Override
            public Map<String, Object> status() {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("port", server.port());
                m.put("root", files.root().toString());
                m.put("served", files.served());
                m.put("notFound", files.notFound());
                m.put("bytes", files.bytes());
                m.put("connections", server.counters());
                return m;
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
