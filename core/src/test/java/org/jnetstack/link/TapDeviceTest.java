package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/**
 * The TAP device against the real kernel: the kernel's side of the TAP lives in a fresh network
 * namespace, and frames written by hand through the device must get the kernel's answers.
 */
class TapDeviceTest {
    private static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:aa:bb:01");
    private static final String KERNEL_IP = "10.77.0.1";
    private static final String OUR_IP = "10.77.0.2";

    @Test
    void kernelAnswersArpAndPingThroughTheMovedTap() throws Exception {
        Requirements.rootWithTap();
        try (Netns ns = Netns.create();
             TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"), OUR_MAC, 1500);
             EventLoop loop = EventLoop.system()) {
            ns.adoptTap(tap.name(), KERNEL_IP + "/24");
            MacAddress kernelMac = MacAddress.parse(ns.macOf(tap.name()));
            BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
            DeviceAttachment.attach(loop, tap, (b, o, l) -> frames.add(Arrays.copyOfRange(b, o, o + l)));
            loop.start("tap-test");

            byte[] arp = TestFrames.arpRequest(OUR_MAC, OUR_IP, KERNEL_IP);
            loop.execute(() -> tap.send(arp, 0, arp.length));
            byte[] reply = awaitFrame(frames, f -> TestFrames.etherType(f) == TestFrames.ETHERTYPE_ARP
                    && TestFrames.get16(f, 20) == 2);
            assertThat(TestFrames.dstMac(reply)).isEqualTo(OUR_MAC.bits());
            assertThat(MacAddress.read(reply, 22)).as("ARP sender hardware address").isEqualTo(kernelMac.bits());
            assertThat(Ipv4Address.read(reply, 28)).isEqualTo(Ipv4Address.parseBits(KERNEL_IP));
            assertThat(Ipv4Address.read(reply, 38)).isEqualTo(Ipv4Address.parseBits(OUR_IP));

            byte[] payload = "jnetstack tap test payload 0123456789".getBytes();
            // Sent at a non-zero offset, to exercise the copying path of send().
            byte[] echo = TestFrames.icmpEchoRequest(OUR_MAC, kernelMac, OUR_IP, KERNEL_IP, 0x4242, 7, payload);
            byte[] padded = new byte[echo.length + 10];
            System.arraycopy(echo, 0, padded, 10, echo.length);
            loop.execute(() -> tap.send(padded, 10, echo.length));
            byte[] pong = awaitFrame(frames, f -> TestFrames.etherType(f) == TestFrames.ETHERTYPE_IPV4
                    && f[14 + 9] == 1 && f[34] == 0);
            assertThat(TestFrames.dstMac(pong)).isEqualTo(OUR_MAC.bits());
            assertThat(Ipv4Address.read(pong, 26)).isEqualTo(Ipv4Address.parseBits(KERNEL_IP));
            assertThat(TestFrames.get16(pong, 38)).as("echo id").isEqualTo(0x4242);
            assertThat(TestFrames.get16(pong, 40)).as("echo seq").isEqualTo(7);
            assertThat(Arrays.copyOfRange(pong, 42, 42 + payload.length)).isEqualTo(payload);
            assertThat(TestFrames.checksum(pong, 34, pong.length - 34)).as("ICMP checksum verifies").isZero();

            assertThat(tap.stats().txFrames.get()).isEqualTo(2);
            assertThat(tap.stats().txBytes.get()).isEqualTo(arp.length + echo.length);
            assertThat(tap.stats().rxFrames.get()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void kernelPingReachesTheLoopWhileItWaitsInPoll() throws Exception {
        Requirements.rootWithTap("ping");
        try (Netns ns = Netns.create();
             TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"));
             EventLoop loop = EventLoop.system()) {
            ns.adoptTap(tap.name(), KERNEL_IP + "/24");
            BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
            DeviceAttachment.attach(loop, tap, (b, o, l) -> frames.add(Arrays.copyOfRange(b, o, o + l)));
            loop.start("tap-test");
            // Nobody answers, so the kernel keeps asking who has OUR_IP; each request must wake the loop.
            Process ping = ns.start("ping", "-c", "2", "-W", "1", OUR_IP);
            try {
                byte[] who = awaitFrame(frames, f -> TestFrames.etherType(f) == TestFrames.ETHERTYPE_ARP
                        && TestFrames.get16(f, 20) == 1);
                assertThat(Ipv4Address.read(who, 38)).isEqualTo(Ipv4Address.parseBits(OUR_IP));
                assertThat(TestFrames.dstMac(who)).isEqualTo(MacAddress.BROADCAST.bits());
            } finally {
                ping.destroy();
                ping.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void idleLoopOnTapSleepsInPollAndWakesForTasks() throws Exception {
        Requirements.rootWithTap();
        try (Netns ns = Netns.create();
             TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"));
             EventLoop loop = EventLoop.system()) {
            ns.adoptTap(tap.name(), null);
            DeviceAttachment.attach(loop, tap, (b, o, l) -> { });
            loop.start("tap-idle");
            long[] tid = new long[1];
            CountDownLatch got = new CountDownLatch(1);
            loop.execute(() -> {
                tid[0] = Thread.currentThread().threadId();
                got.countDown();
            });
            assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();

            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long it0 = loop.counters().get("loop.iterations");
            long cpu0 = mx.getThreadCpuTime(tid[0]);
            long wall0 = System.nanoTime();
            Thread.sleep(1000);
            long cpu = mx.getThreadCpuTime(tid[0]) - cpu0;
            long wall = System.nanoTime() - wall0;
            long iterations = loop.counters().get("loop.iterations") - it0;
            // A busy-polling loop would burn ~100% of a core and run millions of iterations.
            assertThat(cpu).as("loop thread CPU time while idle").isLessThan(wall / 4);
            assertThat(iterations).as("loop iterations while idle").isLessThan(100);

            // With no timer armed the loop waits in ppoll without limit: only the eventfd can end it.
            CountDownLatch ran = new CountDownLatch(1);
            loop.execute(ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).as("task from another thread ran").isTrue();
        }
    }

    @Test
    void deletedInterfaceDoesNotMakeTheLoopSpin() throws Exception {
        Requirements.rootWithTap();
        try (Netns ns = Netns.create();
             TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"));
             EventLoop loop = EventLoop.system()) {
            ns.adoptTap(tap.name(), null);
            DeviceAttachment.attach(loop, tap, (b, o, l) -> { });
            loop.start("tap-deleted");
            ns.exec("ip", "link", "del", tap.name());
            // The descriptor now reports POLLERR for ever; the poller must stop waiting on it.
            CountDownLatch settled = new CountDownLatch(1);
            loop.execute(settled::countDown);
            assertThat(settled.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200);
            long it0 = loop.counters().get("loop.iterations");
            Thread.sleep(500);
            assertThat(loop.counters().get("loop.iterations") - it0).as("iterations while idle").isLessThan(20);
            byte[] f = TestFrames.arpRequest(OUR_MAC, OUR_IP, KERNEL_IP);
            boolean[] sent = new boolean[] {true};
            CountDownLatch tried = new CountDownLatch(1);
            loop.execute(() -> {
                sent[0] = tap.send(f, 0, f.length);
                tried.countDown();
            });
            assertThat(tried.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(sent[0]).as("send to a deleted TAP").isFalse();
        }
    }

    @Test
    void secondOpenOfTheSameTapIsRefusedClearly() throws Exception {
        Requirements.rootWithTap();
        try (TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"))) {
            assertThatThrownBy(() -> TapDevice.open(tap.name()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(tap.name())
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void percentDPatternLetsTheKernelPickTheName() throws Exception {
        Requirements.rootWithTap();
        try (TapDevice tap = TapDevice.open("jnsq%d")) {
            assertThat(tap.name()).matches("jnsq\\d+");
            assertThat(Netns.root("cat", "/sys/class/net/" + tap.name() + "/tun_flags").trim()).isEqualTo("0x1002");
        }
    }

    @Test
    void closedTapDropsSendsAndTheInterfaceDisappears() throws Exception {
        Requirements.rootWithTap();
        String name = Netns.uniqueLinkName("jt");
        TapDevice tap = TapDevice.open(name);
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net/" + name))).isTrue();
        tap.close();
        tap.close();
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net/" + name))).isFalse();
        byte[] f = new byte[60];
        assertThat(tap.send(f, 0, f.length)).isFalse();
        assertThat(tap.stats().txDropped.get()).isEqualTo(1);
        assertThat(tap.receive((b, o, l) -> { }, 10)).isZero();
    }

    @Test
    void sendWhileKernelSideIsDownIsDroppedAndCounted() throws Exception {
        Requirements.rootWithTap();
        try (TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"))) {
            byte[] f = TestFrames.arpRequest(OUR_MAC, OUR_IP, KERNEL_IP);
            assertThat(tap.send(f, 0, f.length)).isFalse();
            assertThat(tap.stats().counters().get("tx.dropped.link_down")).isEqualTo(1);
            assertThat(tap.stats().txFrames.get()).isZero();
        }
    }

    @Test
    void invalidNamesAreRejectedWithTheRule() {
        assertThatThrownBy(() -> TapDevice.open("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1-15 bytes");
        assertThatThrownBy(() -> TapDevice.open("a-name-that-is-too-long")).hasMessageContaining("1-15 bytes");
        assertThatThrownBy(() -> TapDevice.open("a/b")).hasMessageContaining("'/'");
        assertThatThrownBy(() -> TapDevice.open("a b")).hasMessageContaining("spaces");
        assertThatThrownBy(() -> TapDevice.open("..")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TapDevice.open("tap0", null, 67)).hasMessageContaining("MTU");
        assertThat(TapDevice.validateName("abcdefghijklmno")).hasSize(15);
    }

    private static byte[] awaitFrame(BlockingQueue<byte[]> frames, Predicate<byte[]> wanted) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            byte[] f = frames.poll(100, TimeUnit.MILLISECONDS);
            if (f != null && f.length >= 42 && wanted.test(f)) {
                return f;
            }
        }
        throw new AssertionError("expected frame did not arrive within 20 s");
    }
}
