package org.jnetstack.apps.appliance;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jnetstack.apps.echo.TcpDiscardService;
import org.jnetstack.apps.echo.TcpEchoService;
import org.jnetstack.apps.echo.UdpEchoService;

/** Echo (RFC 862, UDP and TCP) and discard (RFC 863, TCP) as {@link ApplianceService}s. */
public final class EchoServices {
    private EchoServices() {
    }

    public static final ApplianceService ECHO = new ApplianceService() {
        @Override
        public String name() {
            return "echo";
        }

        @Override
        public Object settings(ApplianceConfig c) {
            return c.echo().enabled() ? c.echo().port() : null;
        }

        @Override
        public Running start(Appliance a, Object settings) throws Exception {
            int port = (Integer) settings;
            return a.onLoop(() -> {
                UdpEchoService udp = UdpEchoService.open(a.stack(), port);
                TcpEchoService tcp;
                try {
                    tcp = TcpEchoService.open(a.stack(), port);
                } catch (RuntimeException e) {
                    udp.close();
                    throw e;
                }
                return new Running() {
                    @Override
                    public String listening() {
                        return "echo on UDP and TCP " + a.hostAddress() + ":" + port;
                    }

                    @Override
                    public Map<String, Object> status() {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("port", port);
                        m.put("tcpOpen", tcp.openConnections());
                        m.put("tcpAccepted", tcp.acceptedConnections());
                        m.put("tcpFailed", tcp.failedConnections());
                        return m;
                    }

                    @Override
                    public void close() {
                        a.onLoopQuietly(() -> {
                            tcp.close();
                            udp.close();
                        });
                    }
                };
            });
        }
    };

    public static final ApplianceService DISCARD = new ApplianceService() {
        @Override
        public String name() {
            return "discard";
        }

        @Override
        public Object settings(ApplianceConfig c) {
            return c.discard().enabled() ? c.discard().port() : null;
        }

        @Override
        public Running start(Appliance a, Object settings) throws Exception {
            int port = (Integer) settings;
            return a.onLoop(() -> {
                TcpDiscardService tcp = TcpDiscardService.open(a.stack(), port);
                return new Running() {
                    @Override
                    public String listening() {
                        return "discard on TCP " + a.hostAddress() + ":" + port;
                    }

                    @Override
                    public Map<String, Object> status() {
                        return Map.of("port", port, "tcpOpen", tcp.openConnections(),
                                "tcpAccepted", tcp.acceptedConnections(), "tcpFailed", tcp.failedConnections());
                    }

                    @Override
                    public void close() {
                        a.onLoopQuietly(tcp::close);
                    }
                };
            });
        }
    };
}
