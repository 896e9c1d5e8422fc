package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A machine behind an offloading device on the gateway's switch, as the namespace's kernel is
 * behind a TAP opened with offloads: the device ({@code nic}'s "tap" port, which takes partial
 * checksums and TCP super-segments) is joined to the gateway with {@link UserNet#attachExternal},
 * so the gateway's stack sends it super-segments. The machine itself either takes them too, or
 * (plain) gets them cut and checksummed by its switch in software — then every checksum the
 * gateway left partial is checked by the machine's stack. Bytes through the NAT and through a
 * forward are compared both ways.
 */
@Timeout(120)
class OffloadingMachineTest {
    private static final long SIZE = 16L << 20;

    @ParameterizedTest(name = "machine takes offloads: {0}")
    @ValueSource(booleans = {true, false})
    void bulkBothWaysThroughTheNatAndAForwardIsExactWithSuperSegmentsToTheDevice(boolean machineOffloads) throws Exception {
        EventLoop loop = EventLoop.system();
        UserNetConfig config = UserNetConfig.defaults().withForwards(List.of(ForwardRule.tcp(0, 7)));
        UserNet net = UserNet.create(loop, config);
        VirtualSwitch nic = new VirtualSwitch("nic", config.mtu(), 1024, 64);
        VirtualSwitch.Port machinePort = nic.newPort("machine", MacAddress.parse("52:54:00:12:34:77"));
        VirtualSwitch.Port tap = nic.newPort("tap");
        machinePort.setOffloads(machineOffloads ? LinkOffloads.ALL : LinkOffloads.NONE);
        tap.setOffloads(LinkOffloads.ALL);
        VirtualSwitch.Port gatewaySide = net.attachExternal(tap);
        NetStack machine = NetStack.builder(loop).name("machine").device(machinePort)
                .address(config.guest(), config.prefixLength()).gateway(config.gateway()).seed(9).build();
        loop.start("offloading-machine");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread echo = Thread.ofPlatform().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            GuestPeer peer = new GuestPeer(SIZE, true);
            Harness.onLoop(loop, () -> machine.tcp().connect(config.gateway().bits(), server.getLocalPort(), peer));
            assertThat(peer.endOfInput.get(100, TimeUnit.SECONDS)).isEqualTo(SIZE);
            assertThat(peer.received.digest()).isEqualTo(Pattern.digest(SIZE));
            echo.join(10_000);

            Harness.onLoop(loop, () -> GuestEcho.listen(machine.tcp(), 7, 4));
            InetSocketAddress fwd = net.forwards().values().iterator().next();
            try (Socket s = new Socket(fwd.getAddress(), fwd.getPort())) {
                CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                    try {
                        MessageDigest md = Pattern.sha256();
                        byte[] b = new byte[65536];
                        int n;
                        while ((n = s.getInputStream().read(b)) > 0) {
                            md.update(b, 0, n);
                        }
                        return md.digest();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                OutputStream out = s.getOutputStream();
                byte[] b = new byte[65536];
                for (long done = 0; done < SIZE; done += b.length) {
                    Pattern.fill(b, 0, b.length, done);
                    out.write(b);
                }
                s.shutdownOutput();
                assertThat(reader.get(100, TimeUnit.SECONDS)).isEqualTo(Pattern.digest(SIZE));
            }
            long toDevice = Harness.onLoop(loop, () -> gatewaySide.stats().rxBytes.get() / Math.max(1, gatewaySide.stats().rxFrames.get()));
            assertThat(toDevice).as("mean frame the gateway sent the offloading device: super-segments").isGreaterThan(3000);
            long fromMachine = Harness.onLoop(loop, () -> gatewaySide.stats().txBytes.get() / Math.max(1, gatewaySide.stats().txFrames.get()));
            if (machineOffloads) {
                assertThat(fromMachine).as("mean frame from an offloading machine").isGreaterThan(3000);
            } else {
                assertThat(nic.counters().counter("switch.software_segments").get()).isPositive();
                assertThat(machine.counters().get("tcp.rx.drop.bad_checksum")).as("checksums the machine verified").isZero();
            }
            assertThat(gatewaySide.stats().counters().counter("tx.dropped.bad_offload").get()).isZero();
        } finally {
            net.close();
            machine.close();
            loop.close();
        }
    }
}
