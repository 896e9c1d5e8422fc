package org.jnetstack.apps.appliance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jnetstack.NetStack;
import org.jnetstack.link.PcapRing;
import org.jnetstack.link.PcapWriter;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;

/**
 * Test fixture: an appliance on a stack at 10.0.0.2 (with a capture ring), a client stack at
 * 10.0.0.1 on the other end of a virtual wire, one real-time loop running both; the config file
 * in {@code dir}.
 */
public final class VirtualAppliance implements AutoCloseable {
    public static final String BASE = """
            [interface]
            name = "wire0"
            [addressing]
            address = "10.0.0.2/24"
            """;

    public final EventLoop loop = EventLoop.system();
    public final PcapRing ring = new PcapRing(100);
    public final NetStack server;
    public final NetStack client;
    public final Appliance appliance;
    public final Path file;

    public VirtualAppliance(Path dir, String toml, List<ApplianceService> services) throws Exception {
        file = dir.resolve("jns.toml");
        Files.writeString(file, toml);
        ConfigFile f = ConfigFile.load(file, Map.of());
        ApplianceConfig c = f.current();
        VirtualWire wire = new VirtualWire();
        server = NetStack.builder(loop).name("appliance").device(PcapWriter.toRing(ring, wire.b()))
                .address(c.addressing().address().address(), c.addressing().address().prefixLength()).seed(2).build();
        client = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
        loop.start("appliance-test");
        appliance = Appliance.start(f, server, ring, "virtual wire", services);
    }

    /** The ports the appliance's stack listens on (TCP). */
    public List<Integer> listenerPorts() throws Exception {
        return appliance.onLoop(() -> server.tcp().listeners().stream().map(l -> l.port()).toList());
    }

    @Override
    public void close() {
        appliance.close();
        loop.close();
    }
}
