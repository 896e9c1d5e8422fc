package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.loop.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Middleware composes: a tracer over a capture over a fault injector over a switch port. */
class MiddlewareStackTest {
    @TempDir
    Path dir;

    @Test
    void stackedWrappersEachSeeTheirSideOfTheFaults() throws Exception {
        EventLoop loop = EventLoop.virtual();
        VirtualSwitch sw = new VirtualSwitch();
        VirtualSwitch.Port portA = sw.newPort("a");
        VirtualSwitch.Port portB = sw.newPort("b");
        FaultInjector faults = FaultInjector.builder().seed(3)
                .tx(FaultProfile.builder().loss(0.5).delay(Duration.ofMillis(10)).build())
                .wrap(portA);
        Path innerCapture = dir.resolve("inner.pcap");
        Path outerCapture = dir.resolve("outer.pcap");
        List<String> trace = new ArrayList<>();
        LinkDevice a = Tracer.wrap(PcapWriter.toFile(outerCapture, PcapWriter.toFile(innerCapture, faults)), trace::add);
        Recorder rb = new Recorder();
        DeviceAttachment.attach(loop, a, (buf, off, len) -> { });
        DeviceAttachment.attach(loop, portB, rb);
        for (int i = 0; i < 40; i++) {
            byte[] f = TestFrames.ethernet(portB.mac().bits(), portA.mac().bits(), 0x88b5, i);
            a.send(f, 0, f.length);
        }
        loop.runUntil(() -> false, 1_000_000_000L);
        loop.close();

        long lost = portA.stats().counters().get("fault.tx.lost");
        assertThat(lost).isBetween(5L, 35L);
        assertThat(rb.count()).isEqualTo(40 - (int) lost);
        assertThat(trace).hasSize(40).allSatisfy(l -> assertThat(l).contains(" a tx "));
        assertThat(a.name()).isEqualTo("a");
        assertThat(a.mac()).isEqualTo(portA.mac());
        assertThat(a.stats()).as("one set of counters for the whole stack").isSameAs(portA.stats());
        assertThat(a.stats().counters().get("pcap.frames")).isEqualTo(80);
        assertThat(PcapWriterTest.parse(Files.readAllBytes(outerCapture))).hasSize(40);
    }

    @Test
    void captureBelowTheInjectorSeesOnlyWhatSurvived() throws Exception {
        EventLoop loop = EventLoop.virtual();
        VirtualWire wire = new VirtualWire();
        Path wireSide = dir.resolve("below.pcap");
        LinkDevice a = FaultInjector.builder().seed(3).tx(FaultProfile.builder().loss(0.5).build())
                .wrap(PcapWriter.toFile(wireSide, wire.a()));
        DeviceAttachment.attach(loop, a, (buf, off, len) -> { });
        Recorder rb = new Recorder();
        DeviceAttachment.attach(loop, wire.b(), rb);
        for (int i = 0; i < 40; i++) {
            byte[] f = TestFrames.ethernet(2, 1, 0x88b5, i);
            a.send(f, 0, f.length);
        }
        loop.runPending();
        loop.close();
        assertThat(PcapWriterTest.parse(Files.readAllBytes(wireSide))).extracting(r -> r.data()[14] & 0xFF)
                .containsExactlyElementsOf(rb.tags());
        assertThat(rb.count()).isLessThan(40);
    }
}
