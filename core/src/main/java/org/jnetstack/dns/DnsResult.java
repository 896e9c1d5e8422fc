package org.jnetstack.dns;

import java.net.InetAddress;
import java.util.List;
import org.jnetstack.wire.DnsMessage;

/**
 * The outcome of one lookup.
 *
 * @param name       the name asked for (lower case, no trailing dot)
 * @param type       {@link DnsMessage#TYPE_A} or {@link DnsMessage#TYPE_AAAA}
 * @param status     what happened
 * @param addresses  the addresses, in the server's order; empty unless {@link Status#OK}
 * @param cnames     the CNAME chain followed, first alias first ({@code www.example.com -> example.com} gives {@code [example.com]})
 * @param ttlSeconds how long the answer may be kept: the smallest TTL along the chain (for a negative answer, RFC 2308 §5)
 * @param server     the server that answered (or, for a server failure, failed), or null (hosts, literal, no answer)
 * @param source     where the answer came from
 */
public record DnsResult(String name, int type, Status status, List<InetAddress> addresses, List<String> cnames, long ttlSeconds,
                        DnsServer server, Source source) {

    public DnsResult {
        addresses = List.copyOf(addresses);
        cnames = List.copyOf(cnames);
    }

    public enum Status {
        OK("ok"),
        /** The name does not exist (RCODE 3). */
        NXDOMAIN("no such name (NXDOMAIN)"),
        /** The name exists but has no record of the type asked for (RFC 2308 §2.2). */
        NO_DATA("no address records for the name"),
        /** No server answered within the retries. */
        TIMEOUT("no answer from the DNS servers (timed out)"),
        /** No server could be reached: ICMP unreachable (no ARP answer, no route, port closed), and none answered. */
        UNREACHABLE("the DNS servers are unreachable"),
        /** Every server refused or failed (SERVFAIL, REFUSED, NOTIMP, FORMERR, or an unusable answer). */
        SERVER_FAILURE("the DNS servers failed to answer"),
        /** Not a valid host name. */
        INVALID_NAME("not a valid host name"),
        /** No DNS server is configured. */
        NO_SERVERS("no DNS server configured");

        private final String text;

        Status(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public enum Source { LITERAL, HOSTS, CACHE, SERVER, NONE }

    public boolean ok() {
        return status == Status.OK;
    }

    /** "name: reason" for an error message. */
    public String message() {
        return name + ": " + status.text() + (server != null && status != Status.OK ? " from " + server : "");
    }
}
