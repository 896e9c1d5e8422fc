package org.jnetstack.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the whole receive path — Ethernet, ARP, IPv4 with reassembly, ICMP, UDP — and the
 * timers frames set off. Any input must leave the stack without a contained exception, with
 * well-formed output, counters that add up and memory within its bounds.
 *
 * <p>In a normal {@code mvn test} only the inputs under
 * {@code src/test/resources/org/jnetstack/fuzz/ReceivePathFuzzTestInputs/receivePath/} run (real
 * frames: ARP, ICMP echo, UDP, fragments). {@code JAZZER_FUZZ=1} fuzzes; see docs/FUZZING.md.
 */
class ReceivePathFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void receivePath(byte[] input) {
        ReceivePathHarness h = new ReceivePathHarness();
        h.run(FrameScript.parse(input));
        h.assertHealthy();
    }
}
