package org.jnetstack.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;

/** The kernel-side UDP echo client (python3 sockets, run inside a {@link Netns}). */
final class UdpEchoClient {
    /** Datagram sizes from 1 to 20,000 bytes: around the 1500-byte MTU edge, and heavily fragmented ones. */
    static final int[] SIZES = {1, 2, 100, 1472, 1473, 1500, 4000, 8000, 15000, 20000};

    private UdpEchoClient() {
    }

    /** Sends one datagram of each size to {@code host:port} from the namespace; returns the client's report. */
    static CommandResult run(Netns ns, String host, int port, int... sizes) {
        List<String> cmd = new ArrayList<>(List.of("python3", script().toString(), host, Integer.toString(port)));
        for (int s : sizes) {
            cmd.add(Integer.toString(s));
        }
        return ns.run(Duration.ofMinutes(2), cmd.toArray(new String[0]));
    }

    private static Path script() {
        try (InputStream in = UdpEchoClient.class.getResourceAsStream("udp_echo_client.py")) {
            Path p = Files.createTempFile("udp_echo_client", ".py");
            p.toFile().deleteOnExit();
            Files.write(p, in.readAllBytes());
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
