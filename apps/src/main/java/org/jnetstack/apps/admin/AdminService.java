package org.jnetstack.apps.admin;

import java.net.InetAddress;
import org.jnetstack.apps.appliance.Appliance;
import org.jnetstack.apps.appliance.ApplianceConfig;
import org.jnetstack.apps.appliance.ApplianceService;

/**
 * The admin page as an appliance service. Only the port restarts it: the password and whether
 * the status is public are read from the configuration on every request, so changing them takes
 * effect at once without dropping the page.
 */
public final class AdminService implements ApplianceService {
    public static final AdminService INSTANCE = new AdminService();

    private AdminService() {
    }

    @Override
    public String name() {
        return "admin";
    }

    @Override
    public Object settings(ApplianceConfig c) {
        return c.admin().enabled() ? c.admin().port() : null;
    }

    @Override
    public Running start(Appliance a, Object settings) throws Exception {
        InetAddress bind = a.serverBindAddress();
        AdminServer server = new AdminServer(a, a.serverSockets(), bind, (Integer) settings, System::nanoTime);
        return new Running() {
            @Override
            public String listening() {
                return "admin page on http://" + a.listeningHost() + ":" + server.port() + "/"
                        + (server.generatedPassword() == null ? ""
                        : " (password " + server.generatedPassword() + ", made up for this run: set [admin] password"
                                + " in the config file)");
            }

            @Override
            public java.util.Map<String, Object> status() {
                return java.util.Map.of("port", server.port(), "connections", server.connectionCounters());
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
