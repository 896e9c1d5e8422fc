package org.jnetstack.interop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;

/** Reads pcap files with tshark: every packet dissected, checksums verified. */
final class Tshark {
    /**
     * Display filter for what must never appear: packets the dissectors could not parse, expert
     * findings of severity error (bad IPv4, UDP and TCP checksums among them), and any checksum
     * finding at all (a bad ICMP checksum is only a warning to Wireshark) — except Wireshark's note
     * that a TCP checksum is 0xFFFF rather than 0x0000: both are zero in one's complement and the
     * checksum is valid (RFC 1624 §3); Linux emits 0xFFFF for about one segment in 65,536.
     */
    static final String PROBLEMS = "_ws.malformed || _ws.expert.severity >= error"
            + " || (_ws.expert.group == checksum && !tcp.checksum.ffff)";

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private Tshark() {
    }

    /** Packets of {@code pcap} that are malformed or carry a bad checksum, one summary line each. */
    static List<String> problems(Path pcap) {
        return lines(read(pcap, PROBLEMS));
    }

    /** How many packets of {@code pcap} match the display filter. */
    static int count(Path pcap, String displayFilter) {
        return lines(read(pcap, displayFilter)).size();
    }

    private static String read(Path pcap, String displayFilter) {
        // Checksum validation is off by default in Wireshark (offloading makes it noisy); our
        // frames are built in software, so every checksum must be right.
        CommandResult r = Netns.runCommand(TIMEOUT, List.of("tshark", "-n", "-r", pcap.toString(),
                "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-Y", displayFilter));
        if (!r.ok()) {
            throw new IllegalStateException("tshark could not read " + pcap + ":\n" + r.describe());
        }
        return r.stdout();
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (!l.isBlank()) {
                out.add(l.strip());
            }
        }
        return out;
    }
}
