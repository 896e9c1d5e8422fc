package org.jnetstack.apps.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.apps.tftp.TftpTestClient.options;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jnetstack.NetStack;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TFTP server between two stacks on a virtual wire, virtual clock, file I/O run inline for determinism. */
class TftpServerTest {
    private static final int SERVER = Ipv4Address.parseBits("10.0.0.2");

    @TempDir
    Path root;
    @TempDir
    Path outside;

    private final EventLoop loop = EventLoop.virtual();
    private NetStack client;
    private NetStack serverStack;
    private TftpServer server;

    private void up(TftpOptions.Builder options, FaultProfile serverSideFaults) {
        VirtualWire wire = new VirtualWire();
        LinkDevice b = wire.b();
        if (serverSideFaults != null) {
            b = FaultInjector.builder().seed(7).both(serverSideFaults).wrap(b);
        }
        client = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
        serverStack = NetStack.builder(loop).name("server").device(b).address("10.0.0.2/24").seed(2).build();
        server = TftpServer.start(serverStack, options.build(), Runnable::run);
    }

    private void up() {
        up(TftpOptions.builder(root), null);
    }

    private TftpTestClient run(TftpTestClient c) {
        assertThat(loop.runUntil(() -> c.done, 3600 * SECOND)).as("transfer finished").isTrue();
        loop.runFor(10 * SECOND); // let the server finish (dally, final ACK)
        return c;
    }

    private static byte[] random(int n, long seed) {
        byte[] d = new byte[n];
        new SplittableRandom(seed).nextBytes(d);
        return d;
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = root.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.write(p, content);
    }

    private long counter(String name) {
        return serverStack.counters().get(name);
    }

    @Test
    void readsFilesOfEveryShapeByteExact() throws IOException {
        up();
        // 0 bytes, one short block, exactly two blocks (a final empty DATA follows), and uneven.
        for (int size : new int[] {0, 1, 1024, 3 * 512 + 100, 200_000}) {
            byte[] content = random(size, size);
            file("f" + size, content);
            TftpTestClient c = run(new TftpTestClient(client, SERVER).get("f" + size, "octet", Map.of()));
            assertThat(c.errorMessage).isNull();
            assertThat(c.data.toByteArray()).as("file of %d bytes", size).isEqualTo(content);
            assertThat(c.oack).as("no options asked, no OACK").isNull();
        }
        assertThat(counter("tftp.transfers.completed")).isEqualTo(5);
        assertThat(counter("tftp.tx.retransmissions")).isZero();
        assertThat(server.transfers()).isEmpty();
    }

    @Test
    void negotiatesBlockSizeTransferSizeAndTimeout() throws IOException {
        up(TftpOptions.builder(root).maxBlockSize(1428), null);
        byte[] content = random(10_000, 1);
        file("boot.img", content);

        TftpTestClient c = run(new TftpTestClient(client, SERVER)
                .get("boot.img", "octet", options("BLKSIZE", "8192", "tsize", "0", "timeout", "3", "x-unknown", "1")));

        assertThat(c.oack).as("blksize capped at the server's maximum, tsize answered, timeout echoed, unknown ignored")
                .containsExactly(Map.entry("blksize", "1428"), Map.entry("tsize", "10000"), Map.entry("timeout", "3"));
        assertThat(c.data.toByteArray()).isEqualTo(content);
        long dataPackets = c.received.stream().filter(p -> TftpPacket.opcode(p, 0, p.length) == TftpPacket.DATA).count();
        assertThat(dataPackets).as("10000 bytes in 1428-byte blocks").isEqualTo(8);
    }

    @Test
    void invalidOptionValuesAreIgnoredNotAcknowledged() throws IOException {
        up();
        file("a", random(700, 2));

        TftpTestClient c = run(new TftpTestClient(client, SERVER)
                .get("a", "octet", options("blksize", "4", "timeout", "0", "tsize", "x")));

        assertThat(c.oack).isNull();
        assertThat(c.data.size()).isEqualTo(700);
        assertThat(c.count(TftpPacket.DATA, 1)).isEqualTo(1);
        assertThat(c.received.get(0).length).as("default 512-byte block").isEqualTo(516);
    }

    @Test
    void readsAndWritesThroughTenPercentLossBothWays() throws IOException {
        up(TftpOptions.builder(root).writable(true), FaultProfile.builder().loss(0.10).build());
        byte[] content = random(300_000, 3);
        file("big", content);

        TftpTestClient get = run(new TftpTestClient(client, SERVER).get("big", "octet", options("blksize", "1024")));
        assertThat(get.errorMessage).isNull();
        assertThat(get.data.toByteArray()).isEqualTo(content);

        byte[] upload = random(250_000, 4);
        TftpTestClient put = run(new TftpTestClient(client, SERVER).put("up.bin", "octet", upload, Map.of()));
        assertThat(put.errorMessage).as("error %d", put.errorCode).isNull();
        assertThat(root.resolve("up.bin")).hasBinaryContent(upload);

        assertThat(counter("tftp.tx.retransmissions")).as("losses were recovered by the server's timer").isPositive();
        assertThat(counter("tftp.transfers.completed")).isEqualTo(2);
        try (var s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("big", "up.bin");
        }
    }

    @Test
    void aDuplicateAckNeverDrawsASecondData() throws IOException {
        up(TftpOptions.builder(root).minTimeout(Duration.ofMillis(500)), null);
        file("f", random(2000, 5));
        List<byte[]> got = new ArrayList<>();
        int[] tid = {0};
        UdpEndpoint ep = client.udp().open(40000, (e, ip, port, buf, off, len) -> {
            got.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            tid[0] = port;
        });
        byte[] rrq = TftpPacket.request(TftpPacket.RRQ, "f", "octet", Map.of());
        ep.send(SERVER, 69, rrq, 0, rrq.length);
        loop.runUntil(() -> got.size() == 1, 10 * SECOND);
        assertThat(TftpPacket.block(got.get(0), 0)).isEqualTo(1);

        // ACK 1 arrives twice (the network duplicated it): DATA 2 must go out once, not twice.
        ep.send(SERVER, tid[0], TftpTestClient.ack(1), 0, 4);
        ep.send(SERVER, tid[0], TftpTestClient.ack(1), 0, 4);
        loop.runFor(100_000_000L); // less than the retransmission timeout

        assertThat(got).hasSize(2);
        assertThat(TftpPacket.block(got.get(1), 0)).isEqualTo(2);
        assertThat(counter("tftp.rx.duplicates")).isEqualTo(1);

        // Silence: now the timer retransmits DATA 2 (once per timeout, backing off).
        loop.runFor(700_000_000L);
        assertThat(got).hasSize(3);
        assertThat(TftpPacket.block(got.get(2), 0)).isEqualTo(2);
        assertThat(counter("tftp.tx.retransmissions")).isEqualTo(1);
    }

    @Test
    void aWriteResendsItsAckOnceThenWaitsForTheClientsRetransmission() {
        up(TftpOptions.builder(root).writable(true), null);
        List<byte[]> got = new ArrayList<>();
        int[] tid = {0};
        UdpEndpoint ep = client.udp().open(40004, (e, ip, port, buf, off, len) -> {
            got.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            tid[0] = port;
        });
        byte[] wrq = TftpPacket.request(TftpPacket.WRQ, "w", "octet", Map.of());
        ep.send(SERVER, 69, wrq, 0, wrq.length);
        loop.runUntil(() -> got.size() == 1, 10 * SECOND);
        byte[] data1 = new byte[516];
        TftpPacket.writeDataHeader(data1, 1);
        ep.send(SERVER, tid[0], data1, 0, data1.length);
        loop.runUntil(() -> got.size() == 2, 10 * SECOND);
        assertThat(TftpPacket.block(got.get(1), 0)).isEqualTo(1);

        // DATA 2 is "lost": the server repeats ACK 1 once, then stays quiet so that the
        // client's own timer (which every packet it receives restarts) can fire.
        loop.runFor(20 * SECOND);
        assertThat(got).hasSize(3);
        assertThat(TftpPacket.block(got.get(2), 0)).isEqualTo(1);

        byte[] data2 = new byte[4 + 10];
        TftpPacket.writeDataHeader(data2, 2);
        ep.send(SERVER, tid[0], data2, 0, data2.length); // the client's retransmission, 20 s later
        loop.runFor(SECOND);
        assertThat(TftpPacket.block(got.get(3), 0)).isEqualTo(2);
        assertThat(root.resolve("w")).hasSize(522);
    }

    @Test
    void aWriteWhoseClientVanishedEndsAfterTheWait() {
        up(TftpOptions.builder(root).writable(true), null);
        UdpEndpoint ep = client.udp().open(40005, (e, ip, port, buf, off, len) -> { });
        byte[] wrq = TftpPacket.request(TftpPacket.WRQ, "w", "octet", Map.of());
        ep.send(SERVER, 69, wrq, 0, wrq.length);

        loop.runFor(60 * SECOND);

        assertThat(counter("tftp.transfers.timed_out")).isEqualTo(1);
        assertThat(counter("tftp.tx.retransmissions")).isEqualTo(1);
        try (var s = Files.list(root)) {
            assertThat(s).as("the temporary file is removed").isEmpty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aSlowDiskPausesTheTransferWithoutRetransmittingOrStallingTheLoop() throws IOException {
        VirtualWire wire = new VirtualWire();
        client = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
        serverStack = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).build();
        java.util.ArrayDeque<Runnable> disk = new java.util.ArrayDeque<>(); // the "disk" answers only when told
        server = TftpServer.start(serverStack, TftpOptions.builder(root).build(), disk::add);
        byte[] content = random(600_000, 10);
        file("slow", content);
        TftpTestClient c = new TftpTestClient(client, SERVER).get("slow", "octet", options("blksize", "1024"));

        loop.runFor(5 * SECOND); // the open is still on the disk; the client's retransmitted RRQs are not new transfers
        assertThat(c.received).as("nothing sent before the file is open").isEmpty();
        assertThat(counter("tftp.rx.duplicate_requests")).isPositive();
        assertThat(serverStack.loop().timerCount()).isPositive();
        int served = 0;
        while (!c.done && served < 10_000) {
            Runnable task = disk.poll();
            if (task != null) {
                task.run();
                served++;
            }
            loop.runFor(SECOND / 10);
        }
        loop.runFor(10 * SECOND);

        assertThat(c.errorMessage).isNull();
        assertThat(c.data.toByteArray()).isEqualTo(content);
        assertThat(counter("tftp.tx.retransmissions")).as("waiting for the disk is not a lost packet").isZero();
        assertThat(counter("tftp.transfers.completed")).isEqualTo(1);
    }

    @Test
    void aStrangerGetsUnknownTransferIdAndTheTransferGoesOn() throws IOException {
        up();
        byte[] content = random(5000, 6);
        file("f", content);
        TftpTestClient c = new TftpTestClient(client, SERVER).get("f", "octet", Map.of());
        loop.runUntil(() -> c.serverPort > 0, 10 * SECOND);
        List<byte[]> strangerGot = new ArrayList<>();
        UdpEndpoint stranger = client.udp().open(40001, (e, ip, port, buf, off, len) ->
                strangerGot.add(java.util.Arrays.copyOfRange(buf, off, off + len)));

        stranger.send(SERVER, c.serverPort, TftpTestClient.ack(1), 0, 4);
        run(c);

        assertThat(strangerGot).hasSize(1);
        assertThat(TftpPacket.opcode(strangerGot.get(0), 0, 4)).isEqualTo(TftpPacket.ERROR);
        assertThat(TftpPacket.block(strangerGot.get(0), 0)).isEqualTo(TftpPacket.ERR_UNKNOWN_TID);
        assertThat(c.data.toByteArray()).isEqualTo(content);
        assertThat(counter("tftp.rx.unknown_tid")).isEqualTo(1);
    }

    @Test
    void nothingEscapesTheRoot() throws IOException {
        up(TftpOptions.builder(root).writable(true), null);
        Files.writeString(outside.resolve("secret"), "secret");
        file("pub/inside", "inside".getBytes());
        Files.createSymbolicLink(root.resolve("link-out"), outside.resolve("secret"));
        Files.createSymbolicLink(root.resolve("dir-out"), outside);
        Files.createSymbolicLink(root.resolve("link-in"), root.resolve("pub/inside"));
        String up = "../" + outside.getFileName() + "/secret";

        for (String name : List.of(up, "pub/../../" + outside.getFileName() + "/secret", "/../secret", "link-out",
                "dir-out/secret", "..")) {
            TftpTestClient c = run(new TftpTestClient(client, SERVER).get(name, "octet", Map.of()));
            assertThat(c.errorCode).as("read of %s", name).isEqualTo(TftpPacket.ERR_ACCESS_VIOLATION);
            assertThat(c.data.size()).isZero();
        }
        for (String name : List.of(up, "dir-out/new", "link-out")) {
            TftpTestClient c = run(new TftpTestClient(client, SERVER).put(name, "octet", "evil".getBytes(), Map.of()));
            assertThat(c.errorCode).as("write of %s", name).isEqualTo(TftpPacket.ERR_ACCESS_VIOLATION);
        }
        assertThat(outside.resolve("secret")).hasContent("secret");
        assertThat(outside.resolve("new")).doesNotExist();

        // Absolute names mean the root itself; a link that stays inside is fine.
        assertThat(run(new TftpTestClient(client, SERVER).get("/pub/inside", "octet", Map.of())).data.toString()).isEqualTo("inside");
        assertThat(run(new TftpTestClient(client, SERVER).get("link-in", "octet", Map.of())).data.toString()).isEqualTo("inside");
        assertThat(run(new TftpTestClient(client, SERVER).get("missing", "octet", Map.of())).errorCode)
                .isEqualTo(TftpPacket.ERR_FILE_NOT_FOUND);
        assertThat(run(new TftpTestClient(client, SERVER).get("pub", "octet", Map.of())).errorCode)
                .as("a directory").isEqualTo(TftpPacket.ERR_FILE_NOT_FOUND);
    }

    @Test
    void writesAreOffUnlessEnabled() {
        up();
        TftpTestClient c = run(new TftpTestClient(client, SERVER).put("x", "octet", new byte[10], Map.of()));
        assertThat(c.errorCode).isEqualTo(TftpPacket.ERR_ACCESS_VIOLATION);
        assertThat(root.resolve("x")).doesNotExist();
    }

    @Test
    void theWriteLimitHoldsAndLeavesNothingBehind() throws IOException {
        up(TftpOptions.builder(root).writable(true).maxWriteBytes(10_000), null);

        TftpTestClient tooBig = run(new TftpTestClient(client, SERVER).put("big", "octet", new byte[20_000], Map.of()));
        assertThat(tooBig.errorCode).isEqualTo(TftpPacket.ERR_DISK_FULL);
        TftpTestClient announced = run(new TftpTestClient(client, SERVER)
                .put("big", "octet", new byte[20_000], options("tsize", "20000")));
        assertThat(announced.errorCode).as("refused at once from tsize (RFC 2349)").isEqualTo(TftpPacket.ERR_DISK_FULL);
        assertThat(announced.count(TftpPacket.ACK, 0)).isZero();

        TftpTestClient fits = run(new TftpTestClient(client, SERVER).put("ok", "octet", new byte[10_000], options("tsize", "10000")));
        assertThat(fits.errorMessage).isNull();
        assertThat(fits.oack).containsEntry("tsize", "10000");
        try (var s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no partial upload left").containsExactly("ok");
        }
    }

    @Test
    void anExistingFileIsKeptWhenOverwriteIsOff() throws IOException {
        up(TftpOptions.builder(root).writable(true).overwrite(false), null);
        file("keep", "old".getBytes());
        TftpTestClient c = run(new TftpTestClient(client, SERVER).put("keep", "octet", "new".getBytes(), Map.of()));
        assertThat(c.errorCode).isEqualTo(TftpPacket.ERR_FILE_EXISTS);
        assertThat(root.resolve("keep")).hasContent("old");
    }

    @Test
    void netasciiConvertsLineEndsBothWays() throws IOException {
        up(TftpOptions.builder(root).writable(true), null);
        file("text", "one\ntwo\rthree\n".getBytes());

        TftpTestClient get = run(new TftpTestClient(client, SERVER).get("text", "NetASCII", options("tsize", "0")));
        assertThat(get.data.toByteArray()).isEqualTo("one\r\ntwo\r\0three\r\n".getBytes());
        assertThat(get.oack).as("no tsize in netascii: the size on the wire differs").isNull();

        // A CR LF split across two 512-byte blocks must still become one LF.
        String wire = "x".repeat(511) + "\r\nend\r\0\r\n";
        run(new TftpTestClient(client, SERVER).put("up.txt", "netascii", wire.getBytes(), Map.of()));
        assertThat(root.resolve("up.txt")).hasContent("x".repeat(511) + "\nend\r\n");
    }

    @Test
    void manyTransfersRunAtOnceEachOnItsOwnPort() throws IOException {
        up(TftpOptions.builder(root).writable(true), null);
        file("warm-up", new byte[1]);
        run(new TftpTestClient(client, SERVER).get("warm-up", "octet", Map.of())); // ARP resolved: no request waits in its queue
        List<TftpTestClient> clients = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byte[] content = random(20_000 + i * 1000, 100 + i);
            contents.add(content);
            if (i % 2 == 0) {
                file("f" + i, content);
                clients.add(new TftpTestClient(client, SERVER).get("f" + i, "octet", Map.of()));
            } else {
                clients.add(new TftpTestClient(client, SERVER).put("u" + i, "octet", content, Map.of()));
            }
        }
        assertThat(loop.runUntil(() -> clients.stream().allMatch(c -> c.done), 600 * SECOND)).isTrue();
        loop.runFor(10 * SECOND);

        assertThat(clients.stream().map(c -> c.serverPort).distinct().count()).isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            if (i % 2 == 0) {
                assertThat(clients.get(i).data.toByteArray()).isEqualTo(contents.get(i));
            } else {
                assertThat(root.resolve("u" + i)).hasBinaryContent(contents.get(i));
            }
        }
        assertThat(server.transfers()).isEmpty();
        assertThat(server.status().completed()).isEqualTo(11);
        assertThat(server.status().peakTransfers()).as("all ten were running at once").isEqualTo(10);
    }

    @Test
    void aVanishedClientIsGivenUpAfterTheRetries() throws IOException {
        up(TftpOptions.builder(root).maxRetries(3), null);
        file("f", random(5000, 7));
        List<byte[]> got = new ArrayList<>();
        int[] tid = {0};
        UdpEndpoint ep = client.udp().open(40002, (e, ip, port, buf, off, len) -> {
            got.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            tid[0] = port;
        });
        byte[] rrq = TftpPacket.request(TftpPacket.RRQ, "f", "octet", Map.of());
        ep.send(SERVER, 69, rrq, 0, rrq.length);
        loop.runUntil(() -> got.size() == 1, 10 * SECOND);
        ep.send(SERVER, tid[0], TftpTestClient.ack(1), 0, 4); // it answered once: a real client, then gone

        loop.runFor(120 * SECOND);

        assertThat(counter("tftp.tx.retransmissions")).as("DATA 2, the full retries").isEqualTo(3);
        assertThat(got).hasSize(1 + 1 + 3 + 1).last().satisfies(p -> assertThat(TftpPacket.opcode(p, 0, p.length))
                .as("it is told with an ERROR").isEqualTo(TftpPacket.ERROR));
        assertThat(counter("tftp.transfers.timed_out")).isEqualTo(1);
        assertThat(server.transfers()).isEmpty();
        assertThat(serverStack.udp().endpoints()).as("only the request port is left").hasSize(1);
    }

    /**
     * Sends {@code request} "from" a victim that never answers (as a request with a forged source
     * address: the victim receives what the server sends) and returns what the victim receives.
     */
    private List<byte[]> forged(int victimPort, byte[] request) {
        List<byte[]> got = new ArrayList<>();
        UdpEndpoint victim = client.udp().open(victimPort,
                (e, ip, p, buf, off, len) -> got.add(java.util.Arrays.copyOfRange(buf, off, off + len)));
        victim.send(SERVER, 69, request, 0, request.length);
        return got;
    }

    private static long count(List<byte[]> packets, int opcode) {
        return packets.stream().filter(p -> TftpPacket.opcode(p, 0, p.length) == opcode).count();
    }

    @Test
    void anUnansweredReadRequestDrawsAtMostTheBoundOfDataPackets() throws IOException {
        up();
        file("boot.img", random(1_000_000, 11));

        List<byte[]> victim = forged(40010, TftpPacket.request(TftpPacket.RRQ, "boot.img", "octet", Map.of()));
        loop.runFor(600 * SECOND);

        assertThat(count(victim, TftpPacket.DATA)).as("DATA 1 and %d resend(s)", TftpOptions.DEFAULT_UNANSWERED_RETRIES)
                .isEqualTo(1 + TftpOptions.DEFAULT_UNANSWERED_RETRIES);
        assertThat(victim).as("no ERROR either: nothing beyond the bound").hasSize(1 + TftpOptions.DEFAULT_UNANSWERED_RETRIES);
        assertThat(counter("tftp.tx.retransmissions")).isEqualTo(TftpOptions.DEFAULT_UNANSWERED_RETRIES);
        assertThat(counter("tftp.transfers.unanswered")).isEqualTo(1);
        assertThat(server.transfers()).isEmpty();
    }

    @Test
    void anUnansweredRequestWithOptionsDrawsAtMostTheBoundOfOacks() throws IOException {
        up();
        file("f", random(100_000, 12));

        List<byte[]> victim = forged(40012,
                TftpPacket.request(TftpPacket.RRQ, "f", "octet", options("blksize", "65464", "timeout", "255")));
        loop.runFor(3600 * SECOND);

        assertThat(victim).hasSize(1 + TftpOptions.DEFAULT_UNANSWERED_RETRIES);
        assertThat(count(victim, TftpPacket.OACK)).isEqualTo(1 + TftpOptions.DEFAULT_UNANSWERED_RETRIES);
        assertThat(server.transfers()).isEmpty();
    }

    @Test
    void anUnansweredWriteRequestDrawsAtMostTheBoundOfAcks() {
        up(TftpOptions.builder(root).writable(true), null);

        List<byte[]> victim = forged(40013, TftpPacket.request(TftpPacket.WRQ, "w", "octet", Map.of()));
        loop.runFor(600 * SECOND);

        assertThat(victim).hasSize(1 + TftpOptions.DEFAULT_UNANSWERED_RETRIES);
        assertThat(count(victim, TftpPacket.ACK)).isEqualTo(1 + TftpOptions.DEFAULT_UNANSWERED_RETRIES);
    }

    @Test
    void forgedRequestsBeyondTheUnansweredBudgetAreDroppedAndARealClientStillGetsItsFile() throws IOException {
        up(TftpOptions.builder(root).maxUnanswered(4), null);
        byte[] content = random(3000, 13);
        file("f", content);
        List<byte[]> victim = new ArrayList<>();
        byte[] rrq = TftpPacket.request(TftpPacket.RRQ, "f", "octet", Map.of());
        for (int i = 0; i < 40; i++) {
            UdpEndpoint ep = client.udp().open(41000 + i,
                    (e, ip, port, buf, off, len) -> victim.add(java.util.Arrays.copyOfRange(buf, off, off + len)));
            ep.send(SERVER, 69, rrq, 0, rrq.length);
        }
        loop.runFor(SECOND / 10);
        assertThat(server.transfers()).as("the unanswered budget").hasSize(4);
        assertThat(counter("tftp.requests.dropped_unanswered")).isEqualTo(36);

        loop.runFor(600 * SECOND);
        assertThat(victim).as("at most budget x (1 + resends)").hasSize(4 * (1 + TftpOptions.DEFAULT_UNANSWERED_RETRIES));

        TftpTestClient c = run(new TftpTestClient(client, SERVER).get("f", "octet", Map.of()));
        assertThat(c.data.toByteArray()).isEqualTo(content);
    }

    @Test
    void aRealClientWhoseFirstDataIsLostStillGetsItsFile() throws IOException {
        // Everything from the server is lost for the first 2.5 s: DATA 1 and its one resend. The
        // client's own retransmitted request (on its timer) starts afresh once that transfer ended.
        up();
        byte[] content = random(5000, 14);
        file("f", content);
        TftpTestClient c = new TftpTestClient(client, SERVER);
        c.ignoreUntilNanos = loop.clock().nanos() + 2_500_000_000L; // what arrives before is "lost"
        run(c.get("f", "octet", Map.of()));

        assertThat(c.errorMessage).isNull();
        assertThat(c.data.toByteArray()).isEqualTo(content);
        assertThat(counter("tftp.transfers.unanswered")).isEqualTo(1);
    }

    @Test
    void aRetransmittedRequestDoesNotStartASecondTransfer() throws IOException {
        up();
        byte[] content = random(3000, 8);
        file("f", content);
        TftpTestClient c = new TftpTestClient(client, SERVER);
        byte[] rrq = TftpPacket.request(TftpPacket.RRQ, "f", "octet", Map.of());
        c.endpoint.send(SERVER, 69, rrq, 0, rrq.length); // the same RRQ twice, from the same port
        c.get("f", "octet", Map.of());
        run(c);

        assertThat(c.data.toByteArray()).isEqualTo(content);
        assertThat(counter("tftp.rx.duplicate_requests")).isEqualTo(1);
        assertThat(counter("tftp.transfers.completed")).isEqualTo(1);
    }

    @Test
    void badRequestsGetTheRightErrors() {
        up();
        List<byte[]> got = new ArrayList<>();
        UdpEndpoint ep = client.udp().open(40003, (e, ip, port, buf, off, len) ->
                got.add(java.util.Arrays.copyOfRange(buf, off, off + len)));
        byte[][] bad = {
            {0, 1, 'f'},                                        // filename not terminated
            {0, 1, 0, 'o', 'c', 't', 'e', 't', 0},              // empty filename
            TftpTestClient.ack(1),                              // an ACK to the request port
            TftpPacket.request(TftpPacket.RRQ, "f", "mail", Map.of()),
            {0},                                                // too short for an opcode
        };
        for (byte[] p : bad) {
            ep.send(SERVER, 69, p, 0, p.length);
            loop.runFor(SECOND);
        }
        byte[] error = TftpPacket.error(TftpPacket.ERR_NOT_DEFINED, "x");
        ep.send(SERVER, 69, error, 0, error.length); // never answered
        loop.runFor(SECOND);

        assertThat(got).hasSize(5);
        assertThat(got).allSatisfy(p -> {
            assertThat(TftpPacket.opcode(p, 0, p.length)).isEqualTo(TftpPacket.ERROR);
            assertThat(TftpPacket.block(p, 0)).isEqualTo(TftpPacket.ERR_ILLEGAL_OPERATION);
        });
        assertThat(counter("tftp.rx.malformed")).isEqualTo(4);
    }

    @Test
    void closingTheServerEndsRunningTransfersWithAnError() throws IOException {
        up();
        file("f", random(100_000, 9));
        TftpTestClient c = new TftpTestClient(client, SERVER).get("f", "octet", Map.of());
        loop.runUntil(() -> c.data.size() > 10_000, 60 * SECOND);

        server.close();
        loop.runUntil(() -> c.done, 60 * SECOND);

        assertThat(c.errorMessage).isEqualTo("Server shutting down");
        assertThat(serverStack.udp().endpoints()).isEmpty();
    }

    @Test
    void optionsAreValidatedWithClearMessages() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TftpOptions.builder(root.resolve("nope")).build())
                .hasMessageContaining("is not a directory");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TftpOptions.builder(root).maxBlockSize(70000).build())
                .hasMessageContaining("8-65464");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TftpOptions.builder(root).port(0).build())
                .hasMessageContaining("1-65535");
    }
}
