package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.link.OffloadTestFrames.ACK;
import static org.jnetstack.link.OffloadTestFrames.CWR;
import static org.jnetstack.link.OffloadTestFrames.ETH;
import static org.jnetstack.link.OffloadTestFrames.FIN;
import static org.jnetstack.link.OffloadTestFrames.PSH;
import static org.jnetstack.link.OffloadTestFrames.SEQ;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jnetstack.link.OffloadTestFrames.FlagRecorder;
import org.jnetstack.loop.EventLoop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@link VirtualSwitch} carries offloaded frames (partial checksums, TCP super-segments) to a
 * port that takes them, with their flags and unchanged, and finishes them in software for a plain
 * port: MTU-sized segments with correct checksums and the payload byte for byte. Malformed offload
 * metadata is dropped and counted at the sending port.
 */
class SwitchOffloadTest {
    private static final int MSS4 = 1500 - 20 - 32;
    private static final int MSS6 = 1500 - 40 - 32;

    private EventLoop loop;
    private VirtualSwitch sw;
    private VirtualSwitch.Port gateway;
    private VirtualSwitch.Port offloading;
    private VirtualSwitch.Port plain;
    private final FlagRecorder atGateway = new FlagRecorder();
    private final FlagRecorder atOffloading = new FlagRecorder();
    private final FlagRecorder atPlain = new FlagRecorder();
    private final SplittableRandom random = new SplittableRandom(42);

    @BeforeEach
    void setUp() {
        loop = EventLoop.virtual();
        sw = new VirtualSwitch();
        gateway = sw.newPort("gw");
        offloading = sw.newPort("tap");
        plain = sw.newPort("qemu");
        gateway.setOffloads(LinkOffloads.ALL);
        offloading.setOffloads(LinkOffloads.ALL);
        DeviceAttachment.attach(loop, gateway, atGateway);
        DeviceAttachment.attach(loop, offloading, atOffloading);
        DeviceAttachment.attach(loop, plain, atPlain);
    }

    @ParameterizedTest(name = "IPv6 {0}")
    @ValueSource(booleans = {false, true})
    void aSuperSegmentReachesAnOffloadingPortWholeAndAPlainPortInWireSegments(boolean ipv6) {
        int mss = ipv6 ? MSS6 : MSS4;
        byte[] superSegment = OffloadTestFrames.tcp(ipv6, 20_000, ACK | PSH | FIN | CWR, random);
        byte[] sent = superSegment.clone();

        assertThat(gateway.sendOffloaded(superSegment, 0, superSegment.length, OffloadTestFrames.transport(superSegment), 16, mss))
                .isTrue();
        loop.runPending();

        assertThat(superSegment).as("the sender's frame is not touched").isEqualTo(sent);
        assertThat(atOffloading.frames).hasSize(1);
        assertThat(atOffloading.frames.get(0)).isEqualTo(sent);
        int f = atOffloading.flags.get(0);
        assertThat(f & FrameHandler.OFFLOADED).isEqualTo(FrameHandler.OFFLOADED);
        assertThat(f & FrameHandler.RX_CHECKSUM_VERIFIED).isNotZero();
        assertThat(FrameHandler.gsoSize(f)).isEqualTo(mss);

        List<byte[]> segments = atPlain.frames;
        assertThat(segments).hasSize((20_000 + mss - 1) / mss);
        List<byte[]> payloads = new ArrayList<>();
        int t = OffloadTestFrames.transport(sent);
        for (int i = 0; i < segments.size(); i++) {
            byte[] s = segments.get(i);
            boolean last = i == segments.size() - 1;
            assertThat(atPlain.flags.get(i) & FrameHandler.OFFLOADED).as("a plain port gets wire frames").isZero();
            assertThat(s.length).isLessThanOrEqualTo(ETH + 1500);
            assertThat(OffloadTestFrames.checksumsRight(s)).as("checksums of segment %d", i).isTrue();
            assertThat(OffloadTestFrames.u32(s, t + 4)).isEqualTo((SEQ + (long) i * mss) & 0xFFFF_FFFFL);
            int flags = s[t + 13] & 0xFF;
            assertThat(flags & (FIN | PSH)).as("FIN and PSH on the last segment only").isEqualTo(last ? FIN | PSH : 0);
            assertThat(flags & CWR).as("CWR on the first only").isEqualTo(i == 0 ? CWR : 0);
            assertThat(flags & ACK).isEqualTo(ACK);
            if (ipv6) {
                assertThat(OffloadTestFrames.u16(s, ETH + 4)).isEqualTo(s.length - ETH - 40);
            } else {
                assertThat(OffloadTestFrames.u16(s, ETH + 2)).isEqualTo(s.length - ETH);
                assertThat(OffloadTestFrames.u16(s, ETH + 4)).as("IP identification counts up").isEqualTo((0xFFFE + i) & 0xFFFF);
            }
            assertThat(java.util.Arrays.copyOfRange(s, t + 20, t + 32)).as("TCP options in every segment")
                    .isEqualTo(java.util.Arrays.copyOfRange(sent, t + 20, t + 32));
            payloads.add(OffloadTestFrames.payload(s));
        }
        assertThat(OffloadTestFrames.concat(payloads)).isEqualTo(OffloadTestFrames.payload(sent));
        assertThat(sw.counters().counter("switch.software_segments").get()).isEqualTo(segments.size());
    }

    @ParameterizedTest(name = "IPv6 {0}")
    @ValueSource(booleans = {false, true})
    void aPartialChecksumIsCompletedForAPlainPortOnly(boolean ipv6) {
        for (byte[] frame : List.of(OffloadTestFrames.tcp(ipv6, 999, ACK, random), OffloadTestFrames.udp(ipv6, 513, random))) {
            atOffloading.frames.clear();
            atPlain.frames.clear();
            byte[] sent = frame.clone();
            assertThat(gateway.send(frame, 0, frame.length, FrameHandler.CHECKSUM_PARTIAL)).isTrue();
            loop.runPending();

            assertThat(atOffloading.frames).containsExactly(sent);
            assertThat(atPlain.frames).hasSize(1);
            assertThat(atPlain.frames.get(0)).isEqualTo(OffloadTestFrames.completed(sent));
            assertThat(OffloadTestFrames.checksumsRight(atPlain.frames.get(0))).isTrue();
        }
        assertThat(sw.counters().counter("switch.software_checksum").get()).isEqualTo(2);
    }

    @Test
    void aPortThatTakesNoTso6GetsIpv6SuperSegmentsCut() {
        offloading.setOffloads(new LinkOffloads(true, true, 65_535));
        byte[] v4 = OffloadTestFrames.tcp(false, 5000, ACK, random);
        byte[] v6 = OffloadTestFrames.tcp(true, 5000, ACK, random);
        gateway.send(v4, 0, v4.length, FrameHandler.gso(MSS4));
        gateway.send(v6, 0, v6.length, FrameHandler.gso(MSS6));
        loop.runPending();

        assertThat(atOffloading.frames.get(0)).isEqualTo(v4);
        assertThat(atOffloading.frames).hasSize(1 + (5000 + MSS6 - 1) / MSS6);
        assertThat(atOffloading.flags.subList(1, atOffloading.flags.size()))
                .allSatisfy(f -> assertThat(f & FrameHandler.OFFLOADED).isZero());
    }

    @Test
    void plainFramesPassAsBeforeAndASuperSegmentMayExceedTheMtu() {
        byte[] f = TestFrames.ethernet(0x02_11_22_33_44_55L, gateway.mac().bits(), 0x88b5, 7);
        assertThat(gateway.send(f, 0, f.length)).isTrue();
        byte[] big = OffloadTestFrames.tcp(false, 3000, ACK, random);
        assertThat(gateway.send(big, 0, big.length, 0)).as("without GSO a frame above the MTU is oversize").isFalse();
        assertThat(gateway.stats().counters().counter("tx.dropped.oversize").get()).isEqualTo(1);
        loop.runPending();
        assertThat(atPlain.frames).containsExactly(f);
        assertThat(atPlain.flags).containsExactly(0);
    }

    @Test
    void malformedOffloadMetadataIsDroppedAndCounted() {
        byte[] ok = OffloadTestFrames.tcp(false, 20_000, ACK, random);
        int n = 0;
        // segment size 0
        assertThat(gateway.send(ok, 0, ok.length, FrameHandler.CHECKSUM_PARTIAL | FrameHandler.GSO_TCP)).isFalse();
        n++;
        // a super-segment that is not TCP
        byte[] udp = OffloadTestFrames.udp(false, 4000, random);
        assertThat(gateway.send(udp, 0, udp.length, FrameHandler.gso(1400))).isFalse();
        n++;
        // TCP headers (data offset 60 bytes) past the end of the frame
        byte[] shortTcp = OffloadTestFrames.tcp(false, 0, ACK, random);
        shortTcp[ETH + 20 + 12] = (byte) 0xF0;
        assertThat(gateway.send(shortTcp, 0, shortTcp.length, FrameHandler.gso(1000))).isFalse();
        n++;
        // segments larger than the switch's MTU
        assertThat(gateway.send(ok, 0, ok.length, FrameHandler.gso(9000))).isFalse();
        n++;
        // more than MAX_SEGMENTS segments
        assertThat(gateway.send(ok, 0, ok.length, FrameHandler.gso(10))).isFalse();
        n++;
        // an IP length beyond the frame
        byte[] truncated = java.util.Arrays.copyOf(ok, 2000);
        assertThat(gateway.send(truncated, 0, truncated.length, FrameHandler.gso(MSS4))).isFalse();
        n++;
        // a partial checksum on something that is not TCP or UDP (ICMP)
        byte[] icmp = OffloadTestFrames.udp(false, 100, random);
        icmp[ETH + 9] = 1;
        assertThat(gateway.send(icmp, 0, icmp.length, FrameHandler.CHECKSUM_PARTIAL)).isFalse();
        n++;
        // a super-segment whose checksum is said to lie elsewhere
        assertThat(gateway.sendOffloaded(ok, 0, ok.length, 30, 16, MSS4)).isFalse();
        n++;
        loop.runPending();

        assertThat(gateway.stats().counters().counter("tx.dropped.bad_offload").get()).isEqualTo(n);
        assertThat(atOffloading.frames).isEmpty();
        assertThat(atPlain.frames).isEmpty();
        assertThat(gateway.send(ok, 0, ok.length, FrameHandler.gso(MSS4))).as("the switch still works").isTrue();
        loop.runPending();
        assertThat(atOffloading.frames).hasSize(1);
    }

    @Test
    void aBridgedDeviceSendsAndReceivesOffloadedFrames() {
        FakeOffloadDevice tap = new FakeOffloadDevice();
        VirtualSwitch.Port tapPort = sw.newPort("tap2");
        tapPort.bridge(loop, tap);
        assertThat(tapPort.offloads()).isEqualTo(LinkOffloads.ALL);

        // From the device: a kernel's super-segment reaches the gateway whole and the plain port cut.
        byte[] fromKernel = OffloadTestFrames.tcp(false, 4000, ACK, random);
        tap.arrive(fromKernel, FrameHandler.RX_CHECKSUM_VERIFIED | FrameHandler.gso(MSS4));
        loop.runPending();
        assertThat(atGateway.frames).containsExactly(fromKernel);
        assertThat(atPlain.frames).hasSize(3);

        // To the device: the gateway's super-segment goes out through sendOffloaded, as one write.
        byte[] toKernel = OffloadTestFrames.tcp(true, 30_000, ACK, random);
        System.arraycopy(fromKernel, 6, toKernel, 0, 6); // to the device's address, learned from its frame above
        org.jnetstack.wire.MacAddress.write(toKernel, 6, gateway.mac().bits());
        gateway.sendOffloaded(toKernel, 0, toKernel.length, ETH + 40, 16, MSS6);
        loop.runPending();
        assertThat(tap.offloaded).hasSize(1);
        assertThat(tap.offloaded.get(0)).isEqualTo(toKernel);
        assertThat(tap.lastOffload).containsExactly(ETH + 40, 16, MSS6);
        assertThat(tap.plain).isEmpty();
    }

    @Test
    void aBridgedPortOnItsLoopWritesStraightThroughAndQueuedFramesKeepTheirPlace() {
        FakeOffloadDevice tap = new FakeOffloadDevice();
        VirtualSwitch.Port tapPort = sw.newPort("tap2");
        tapPort.bridge(loop, tap);
        byte[] fromKernel = OffloadTestFrames.tcp(false, 100, ACK, random);
        tap.arrive(fromKernel, FrameHandler.RX_CHECKSUM_VERIFIED);
        loop.runPending(); // the switch learns where the device's address is
        byte[][] toKernel = new byte[4][];
        for (int i = 0; i < toKernel.length; i++) {
            toKernel[i] = OffloadTestFrames.tcp(false, 20_000 + i, ACK, random);
            System.arraycopy(fromKernel, 6, toKernel[i], 0, 6);
            org.jnetstack.wire.MacAddress.write(toKernel[i], 6, gateway.mac().bits());
        }
        int[] seenInside = new int[2];

        // On the loop thread, nothing queued: written to the device within the sender's call, no copy queued.
        loop.execute(() -> {
            gateway.send(toKernel[0], 0, toKernel[0].length, FrameHandler.gso(MSS4));
            seenInside[0] = tap.offloaded.size();
            seenInside[1] = tapPort.queuedFrames();
        });
        loop.runPending();
        assertThat(seenInside).containsExactly(1, 0);
        assertThat(tapPort.stats().rxFrames.get()).isEqualTo(1);

        // From another thread: queued for the loop, as before.
        gateway.send(toKernel[1], 0, toKernel[1].length, FrameHandler.gso(MSS4));
        assertThat(tap.offloaded).hasSize(1);
        assertThat(tapPort.queuedFrames()).isEqualTo(1);
        // A frame sent on the loop while one waits goes behind it.
        loop.execute(() -> {
            gateway.send(toKernel[2], 0, toKernel[2].length, FrameHandler.gso(MSS4));
            gateway.send(toKernel[3], 0, toKernel[3].length, FrameHandler.gso(MSS4));
        });
        loop.runPending();
        assertThat(tap.offloaded).containsExactly(toKernel);
        assertThat(tapPort.queuedFrames()).isZero();
        assertThat(tapPort.stats().rxFrames.get()).isEqualTo(4);
    }

    @Test
    void aFrameFromABridgedDeviceToOneStackReachesItWithinTheDevicesReceiveButNothingElseDoes() {
        FakeOffloadDevice tap = new FakeOffloadDevice();
        VirtualSwitch.Port tapPort = sw.newPort("tap2");
        tapPort.bridge(loop, tap);
        // A second stack-like port that answers every frame from the device by sending one to the gateway's port.
        VirtualSwitch.Port other = sw.newPort("other");
        other.setOffloads(LinkOffloads.ALL);
        byte[] answer = OffloadTestFrames.tcp(false, 100, ACK, random);
        org.jnetstack.wire.MacAddress.write(answer, 0, gateway.mac().bits());
        org.jnetstack.wire.MacAddress.write(answer, 6, other.mac().bits());
        FlagRecorder atOther = new FlagRecorder();
        List<Integer> gatewayFramesWhenAnswering = new ArrayList<>();
        DeviceAttachment.attach(loop, other, new FrameHandler() {
            @Override
            public void onFrame(byte[] buf, int off, int len) {
                onFrame(buf, off, len, 0);
            }

            @Override
            public void onFrame(byte[] buf, int off, int len, int flags) {
                atOther.onFrame(buf, off, len, flags);
                int before = atGateway.frames.size();
                other.send(answer, 0, answer.length, FrameHandler.RX_CHECKSUM_VERIFIED);
                gatewayFramesWhenAnswering.add(atGateway.frames.size() - before);
            }
        });
        // The switch learns where the gateway, the plain port and the device are.
        byte[] hello = OffloadTestFrames.tcp(false, 10, ACK, random);
        for (VirtualSwitch.Port p : List.of(gateway, plain)) {
            byte[] h = hello.clone();
            org.jnetstack.wire.MacAddress.write(h, 6, p.mac().bits());
            p.send(h, 0, h.length, 0);
        }
        loop.runPending();
        atGateway.frames.clear();
        atPlain.frames.clear();
        atOther.frames.clear();
        List<int[]> afterEach = new ArrayList<>();
        tap.afterFrame = () -> afterEach.add(new int[] {atOther.frames.size(), atGateway.frames.size(), gateway.queuedFrames(),
                plain.queuedFrames()});

        byte[] toOther = OffloadTestFrames.tcp(false, 4000, ACK, random);
        org.jnetstack.wire.MacAddress.write(toOther, 0, other.mac().bits());
        byte[] toPlain = OffloadTestFrames.tcp(false, 4000, ACK, random);
        org.jnetstack.wire.MacAddress.write(toPlain, 0, plain.mac().bits());
        byte[] flooded = OffloadTestFrames.tcp(false, 300, ACK, random); // to an unknown address
        tap.arrive(toOther, FrameHandler.RX_CHECKSUM_VERIFIED | FrameHandler.gso(MSS4));
        tap.arrive(toPlain, FrameHandler.RX_CHECKSUM_VERIFIED | FrameHandler.gso(MSS4));
        tap.arrive(flooded, FrameHandler.RX_CHECKSUM_VERIFIED);
        loop.runPending();

        assertThat(afterEach).hasSize(3);
        assertThat(afterEach.get(0)).as("the super-segment reached the other stack within the device's receive;"
                + " its answer to the gateway was queued").containsExactly(1, 0, 1, 0);
        assertThat(gatewayFramesWhenAnswering.get(0)).as("a stack's frame is not handed on within its send").isZero();
        assertThat(afterEach.get(1)[3]).as("segments cut in the switch's scratch buffer are queued").isEqualTo(3);
        assertThat(afterEach.get(2)[1]).as("a flooded frame is queued for the gateway, not handed on").isEqualTo(0);
        assertThat(atOther.frames.get(0)).isEqualTo(toOther);
        assertThat(atGateway.frames).hasSize(3); // the flooded frame and the other stack's two answers
        assertThat(atPlain.frames).hasSize(3 + 1);
    }

    @Test
    void aFrameHandedOnAtOnceStillGoesThroughTheMiddlewareWrappingThePort() {
        FakeOffloadDevice tap = new FakeOffloadDevice();
        VirtualSwitch.Port tapPort = sw.newPort("tap2");
        tapPort.bridge(loop, tap);
        VirtualSwitch.Port wrapped = sw.newPort("wrapped");
        List<Integer> seenByMiddleware = new ArrayList<>();
        FlagRecorder stack = new FlagRecorder();
        ForwardingDevice middleware = new ForwardingDevice(wrapped) {
            @Override
            protected void received(byte[] buf, int off, int len, FrameHandler up) {
                seenByMiddleware.add(len);
                buf[off + len - 1] ^= 1; // rewrites, as ClientAddresses does
                super.received(buf, off, len, up);
            }
        };
        DeviceAttachment.attach(loop, middleware, stack);
        List<Integer> stackFramesAfterEach = new ArrayList<>();
        tap.afterFrame = () -> stackFramesAfterEach.add(stack.frames.size());

        byte[] hello = OffloadTestFrames.tcp(false, 10, ACK, random);
        org.jnetstack.wire.MacAddress.write(hello, 6, wrapped.mac().bits());
        wrapped.send(hello, 0, hello.length, 0); // the switch learns where it is
        loop.runPending();
        byte[] frame = OffloadTestFrames.tcp(false, 500, ACK, random);
        org.jnetstack.wire.MacAddress.write(frame, 0, wrapped.mac().bits());
        byte[] sent = frame.clone();
        tap.arrive(frame, FrameHandler.RX_CHECKSUM_VERIFIED);
        loop.runPending();

        assertThat(stackFramesAfterEach).as("handed on within the device's receive").containsExactly(1);
        assertThat(seenByMiddleware).containsExactly(frame.length);
        sent[sent.length - 1] ^= 1;
        assertThat(stack.frames.get(0)).as("as the middleware rewrote it").isEqualTo(sent);
        assertThat(wrapped.queuedFrames()).isZero();
    }

    /** An in-process stand-in for an offloading TAP: records what it is given, hands up what "arrives". */
    private static final class FakeOffloadDevice implements LinkDevice {
        final List<byte[]> plain = new ArrayList<>();
        final List<byte[]> offloaded = new ArrayList<>();
        int[] lastOffload;
        /** Runs after each frame handed up, still inside {@link #receive}. */
        Runnable afterFrame = () -> { };
        private final List<byte[]> arrived = new ArrayList<>();
        private final List<Integer> arrivedFlags = new ArrayList<>();
        private final DeviceStats stats = new DeviceStats();
        private DeviceContext context;

        void arrive(byte[] frame, int flags) {
            arrived.add(frame);
            arrivedFlags.add(flags);
            context.framesReady();
        }

        @Override
        public String name() {
            return "fake-tap";
        }

        @Override
        public org.jnetstack.wire.MacAddress mac() {
            return org.jnetstack.wire.MacAddress.parse("02:00:00:00:99:01");
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public void open(DeviceContext c) {
            context = c;
        }

        @Override
        public int receive(FrameHandler handler, int maxFrames) {
            int n = 0;
            while (!arrived.isEmpty() && n < maxFrames) {
                byte[] f = arrived.remove(0);
                handler.onFrame(f, 0, f.length, arrivedFlags.remove(0));
                afterFrame.run();
                n++;
            }
            return n;
        }

        @Override
        public boolean send(byte[] buf, int off, int len) {
            plain.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            return true;
        }

        @Override
        public LinkOffloads offloads() {
            return LinkOffloads.ALL;
        }

        @Override
        public boolean sendOffloaded(byte[] buf, int off, int len, int checksumStart, int checksumOffset, int segmentSize) {
            offloaded.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            lastOffload = new int[] {checksumStart, checksumOffset, segmentSize};
            return true;
        }

        @Override
        public DeviceStats stats() {
            return stats;
        }

        @Override
        public void close() {
        }
    }
}
