package org.jnetstack.apps.appliance;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ServerSocketFactory;
import org.jnetstack.NetStack;
import org.jnetstack.link.PcapRing;

/**
 * The appliance: a running {@link NetStack} plus the services its configuration asks for. It
 * starts them, reports their status, and applies configuration changes — addresses at once,
 * services by restarting only the ones whose settings changed, the interface and capture at the
 * next start (the link device cannot be swapped under a running stack).
 *
 * <p>Threads: {@link #change}, {@link #close} and the services' start/stop run on the calling
 * (control) thread; everything that touches protocol state is handed to the loop with
 * {@link #onLoop}, which waits for it.
 */
public final class Appliance implements AutoCloseable {
    /** How long a control thread waits for the loop to run a task before giving up. */
    private static final Duration LOOP_TIMEOUT = Duration.ofSeconds(10);

    private final ConfigFile config;
    private final NetStack stack;
    private final PcapRing ring;
    private final String link;
    private final List<ApplianceService> services;
    private final Map<ApplianceService, Object> settings = new LinkedHashMap<>();
    private final Map<ApplianceService, ApplianceService.Running> running = new LinkedHashMap<>();
    private final Map<ApplianceService, String> failures = new LinkedHashMap<>();
    private final long startedNanos = System.nanoTime();
    private final long startedMillis = System.currentTimeMillis();
    private volatile ServerSocketFactory serverSockets = ServerSocketFactory.getDefault();
    private volatile java.net.InetAddress serverBindAddress = java.net.InetAddress.getLoopbackAddress();
    private volatile String hostAddress;
    private final List<String> restartNeeded = new ArrayList<>();
    private volatile java.util.function.Supplier<org.jnetstack.dhcp.DhcpLease> lease = () -> null;
    private volatile java.util.function.Consumer<List<org.jnetstack.wire.Ipv4Address>> dnsServers;
    private boolean closed;

    private Appliance(ConfigFile config, NetStack stack, PcapRing ring, String link, List<ApplianceService> services) {
        this.config = config;
        this.stack = stack;
        this.ring = ring;
        this.link = link;
        this.services = List.copyOf(services);
        ApplianceConfig c = config.current();
        this.hostAddress = c.addressing().address() == null ? "0.0.0.0" : c.addressing().address().address().toString();
    }

    /**
     * Starts every service {@code config} turns on, over a stack whose loop already runs. A service
     * that fails to start is reported in the status and by {@link #failures()}; the others run.
     *
     * @param ring the frames the admin page offers as a pcap download (may be null)
     * @param link how the stack is attached, for the status ({@code TAP jns0, MAC ...})
     */
    public static Appliance start(ConfigFile config, NetStack stack, PcapRing ring, String link,
            List<ApplianceService> services) {
        return start(config, stack, ring, link, services, ServerSocketFactory.getDefault(),
                java.net.InetAddress.getLoopbackAddress());
    }

    /** {@link #start(ConfigFile, NetStack, PcapRing, String, List)} with the sockets of {@link #useServerSockets}. */
    public static Appliance start(ConfigFile config, NetStack stack, PcapRing ring, String link,
            List<ApplianceService> services, ServerSocketFactory sockets, java.net.InetAddress bindAddress) {
        Appliance a = new Appliance(config, stack, ring, link, services);
        a.useServerSockets(sockets, bindAddress);
        synchronized (a) {
            a.reconcile(config.current());
        }
        return a;
    }

    /**
     * The socket factory the socket-based services (the admin page) listen with, and the address
     * they bind: the stack's factory and its wildcard address, or — for tests — the JDK's and
     * loopback (the default).
     */
    public void useServerSockets(ServerSocketFactory factory, java.net.InetAddress bindAddress) {
        this.serverSockets = Objects.requireNonNull(factory);
        this.serverBindAddress = Objects.requireNonNull(bindAddress);
    }

    /**
     * Where the appliance learns the DHCP lease it shows (null when static), and how it gives the
     * resolver new DNS servers from a change — both belong to whoever brought the stack up.
     */
    public void useNetwork(java.util.function.Supplier<org.jnetstack.dhcp.DhcpLease> lease,
            java.util.function.Consumer<List<org.jnetstack.wire.Ipv4Address>> dnsServers) {
        this.lease = Objects.requireNonNull(lease);
        this.dnsServers = Objects.requireNonNull(dnsServers);
    }

    public java.net.InetAddress serverBindAddress() {
        return serverBindAddress;
    }

    public ServerSocketFactory serverSockets() {
        return serverSockets;
    }

    public NetStack stack() {
        return stack;
    }

    public ConfigFile config() {
        return config;
    }

    public PcapRing ring() {
        return ring;
    }

    public String link() {
        return link;
    }

    /** The address a socket-based service is reached at: the stack's own when it listens on every address. */
    public String listeningHost() {
        return serverBindAddress.isAnyLocalAddress() ? hostAddress() : serverBindAddress.getHostAddress();
    }

    /** The stack's own address now: the static one (it may change from the admin page), or the DHCP lease's. */
    public String hostAddress() {
        org.jnetstack.dhcp.DhcpLease l = lease.get();
        return l != null && !config.current().addressing().isStatic() ? l.address().toString() : hostAddress;
    }

    public long uptimeMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    public long startedAtMillis() {
        return startedMillis;
    }

    /** The running service named {@code name} ({@link ApplianceService#name()}), or null when it is off or failed. */
    public synchronized ApplianceService.Running running(String name) {
        for (Map.Entry<ApplianceService, ApplianceService.Running> e : running.entrySet()) {
            if (e.getKey().name().equals(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Runs {@code task} on the loop thread and returns its result; control threads only. */
    public <T> T onLoop(Callable<T> task) throws Exception {
        if (stack.loop().inLoop()) {
            throw new IllegalStateException("onLoop called on the loop thread: it would wait for itself");
        }
        try {
            return stack.loop().call(task::call, LOOP_TIMEOUT);
        } catch (TimeoutException e) {
            throw new IOException("the event loop did not run a task within " + LOOP_TIMEOUT.toSeconds() + " s", e);
        }
    }

    /** {@link #onLoop} for a cleanup step: failures are ignored (the loop may be gone already). */
    public void onLoopQuietly(Runnable task) {
        try {
            onLoop(() -> {
                task.run();
                return null;
            });
        } catch (Exception e) {
            // stopping must not fail
        }
    }

    /** One line per running service: where it listens. */
    public synchronized List<String> listening() {
        List<String> out = new ArrayList<>();
        running.values().forEach(r -> out.add(r.listening()));
        return out;
    }

    /** Services that failed to start, with the reason. */
    public synchronized Map<String, String> failures() {
        Map<String, String> m = new LinkedHashMap<>();
        failures.forEach((s, why) -> m.put(s.name(), why));
        return m;
    }

    /** What a change did: the new configuration, what took effect now, what needs a restart. */
    public record ChangeResult(ApplianceConfig config, List<String> applied, List<String> restartNeeded,
            Map<String, String> failures) {
    }

    /**
     * Validates {@code edits} ({@code table.key} to value), writes them to the config file
     * atomically and applies them.
     *
     * @throws ConfigException when invalid: nothing was written or applied
     */
    public synchronized ChangeResult change(Map<String, Object> edits) throws IOException {
        ApplianceConfig before = config.current();
        ApplianceConfig after = config.change(edits);
        List<String> applied = new ArrayList<>();
        List<String> later = new ArrayList<>();
        if (!Objects.equals(before.addressing(), after.addressing())) {
            applyAddressing(after.addressing());
            applied.add("addressing");
        }
        if (!Objects.equals(before.dns(), after.dns())) {
            // new servers take effect at once; going back to the lease's needs the launcher's start logic
            if (dnsServers != null && !after.dns().servers().isEmpty()) {
                dnsServers.accept(after.dns().servers());
                applied.add("dns");
            } else {
                later.add("dns");
            }
        }
        if (!Objects.equals(before.addressing().hostname(), after.addressing().hostname()) && !after.addressing().isStatic()) {
            later.add("hostname"); // told to the DHCP server when the lease is first asked for
        }
        if (!Objects.equals(before.iface(), after.iface())) {
            later.add("interface");
        }
        if (!Objects.equals(before.capture(), after.capture())) {
            later.add("capture");
        }
        for (ApplianceService s : services) {
            if (!Objects.equals(s.settings(before), s.settings(after))) {
                applied.add(s.name());
            }
        }
        reconcile(after);
        later.forEach(l -> {
            if (!restartNeeded.contains(l)) {
                restartNeeded.add(l);
            }
        });
        return new ChangeResult(after, applied, later, failures());
    }

    private void applyAddressing(ApplianceConfig.Addressing a) throws IOException {
        if (!a.isStatic()) {
            return; // DHCP: the client owns the address
        }
        try {
            onLoop(() -> {
                stack.setAddress(a.address().address(), a.address().prefixLength());
                stack.setGateway(a.gateway());
                return null;
            });
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot apply the address: " + e.getMessage(), e);
        }
        hostAddress = a.address().address().toString();
    }

    /** Stops what is off or changed, starts what is on and not running. */
    private void reconcile(ApplianceConfig c) {
        for (ApplianceService s : services) {
            Object want = s.settings(c);
            Object have = settings.get(s);
            if (Objects.equals(want, have) && (running.containsKey(s) || want == null)) {
                continue;
            }
            ApplianceService.Running r = running.remove(s);
            if (r != null) {
                r.close();
            }
            settings.remove(s);
            failures.remove(s);
            if (want == null) {
                continue;
            }
            settings.put(s, want);
            try {
                running.put(s, s.start(this, want));
            } catch (Exception e) {
                failures.put(s, e.getMessage() != null ? e.getMessage() : e.toString());
            }
        }
    }

    /**
     * A snapshot of everything the status page shows, taken on the loop thread so that it is
     * consistent: interfaces, routes, ARP, TCP connections with their live info, UDP endpoints,
     * counters, services.
     */
    public Map<String, Object> status() throws Exception {
        Map<ApplianceService, ApplianceService.Running> services;
        Map<String, String> failed;
        synchronized (this) {
            services = new LinkedHashMap<>(running);
            failed = failures();
        }
        Map<String, Object> s = onLoop(() -> StatusSnapshot.take(stack, services));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", stack.name());
        out.put("link", link);
        out.put("uptimeMillis", uptimeMillis());
        out.put("startedAt", java.time.Instant.ofEpochMilli(startedMillis).toString());
        out.putAll(s);
        ApplianceConfig c = config.current();
        Map<String, Object> addressing = new LinkedHashMap<>();
        addressing.put("mode", c.addressing().mode());
        addressing.put("address", c.addressing().address() == null ? null : c.addressing().address().toString());
        addressing.put("gateway", c.addressing().gateway() == null ? null : c.addressing().gateway().toString());
        addressing.put("lease", describe(lease.get()));
        addressing.put("dns", c.dns().servers().stream().map(Object::toString).toList());
        out.put("addressing", addressing);
        List<Map<String, Object>> svc = new ArrayList<>();
        for (ApplianceService a : this.services) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", a.name());
            ApplianceService.Running r = services.get(a);
            m.put("state", r != null ? "running" : failed.containsKey(a.name()) ? "failed" : "off");
            if (r != null) {
                m.put("listening", r.listening());
                m.put("detail", s.get("service." + a.name()));
            }
            if (failed.containsKey(a.name())) {
                m.put("error", failed.get(a.name()));
            }
            svc.add(m);
        }
        out.keySet().removeIf(k -> k.startsWith("service."));
        out.put("services", svc);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("file", config.path() == null ? null : config.path().toString());
        synchronized (this) {
            cfg.put("restartNeeded", List.copyOf(restartNeeded));
        }
        out.put("config", cfg);
        return out;
    }

    private static Map<String, Object> describe(org.jnetstack.dhcp.DhcpLease l) {
        if (l == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", l.address() + "/" + l.prefixLength());
        m.put("router", l.router() == null ? null : l.router().toString());
        m.put("dns", l.dnsServers().stream().map(Object::toString).toList());
        m.put("server", l.server() == null ? null : l.server().toString());
        m.put("leaseSeconds", l.leaseTime() == null ? null : l.leaseTime().toSeconds());
        m.put("domain", l.domain());
        return m;
    }

    /** Stops every service (the stack itself belongs to whoever started it). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<ApplianceService.Running> all = new ArrayList<>(running.values());
        running.clear();
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                all.get(i).close();
            } catch (RuntimeException e) {
                // stopping must not fail
            }
        }
    }
}
