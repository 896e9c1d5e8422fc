package org.jnetstack.apps.httpd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What a {@link StackHttpServer} refused, and why; counted from any connection's thread. */
final class ServerCounters {
    final LongAdder accepted = new LongAdder();
    /** 503: the server or the client's address had no connection slot left. */
    final LongAdder refusedBusy = new LongAdder();
    /** 408: a request head that did not arrive within the head deadline. */
    final LongAdder headTimeouts = new LongAdder();
    /** 414 or 431: a request line, header line or header count over the limit. */
    final LongAdder tooLarge = new LongAdder();
    /** Connections closed because a response write waited longer than the idle timeout (the client did not read). */
    final LongAdder writeStalls = new LongAdder();
    /** Idle keep-alive connections closed to make room for a new connection from the same source or when the server was full. */
    final LongAdder idleEvicted = new LongAdder();

    Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("accepted", accepted.sum());
        m.put("refusedBusy", refusedBusy.sum());
        m.put("headTimeouts", headTimeouts.sum());
        m.put("tooLarge", tooLarge.sum());
        m.put("writeStalls", writeStalls.sum());
        m.put("idleEvicted", idleEvicted.sum());
        return m;
    }
}
