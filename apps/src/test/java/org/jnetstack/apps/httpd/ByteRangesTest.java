package org.jnetstack.apps.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jnetstack.apps.httpd.ByteRanges.Outcome;
import org.jnetstack.apps.httpd.ByteRanges.Range;
import org.junit.jupiter.api.Test;

class ByteRangesTest {
    @Test
    void theExamplesOfRfc9110() {
        // §14.1.2 on a 10000-byte representation
        assertThat(ByteRanges.parse("bytes=0-499", 10000).ranges()).containsExactly(new Range(0, 499));
        assertThat(ByteRanges.parse("bytes=500-999", 10000).ranges()).containsExactly(new Range(500, 999));
        assertThat(ByteRanges.parse("bytes=-500", 10000).ranges()).containsExactly(new Range(9500, 9999));
        assertThat(ByteRanges.parse("bytes=9500-", 10000).ranges()).containsExactly(new Range(9500, 9999));
        assertThat(ByteRanges.parse("bytes=0-0,-1", 10000).ranges()).containsExactly(new Range(0, 0), new Range(9999, 9999));
    }

    @Test
    void rangesAreClippedSortedAndMerged() {
        assertThat(ByteRanges.parse("bytes=0-99999", 100).ranges()).containsExactly(new Range(0, 99));
        assertThat(ByteRanges.parse("bytes=-1000", 100).ranges()).containsExactly(new Range(0, 99));
        assertThat(ByteRanges.parse("bytes=50-59, 0-9, 10-19, 55-70", 100).ranges())
                .containsExactly(new Range(0, 19), new Range(50, 70));
        assertThat(ByteRanges.parse("bytes=0-9,200-300", 100).ranges()).as("the unsatisfiable one is dropped")
                .containsExactly(new Range(0, 9));
    }

    @Test
    void nothingSatisfiableIs416() {
        assertThat(ByteRanges.parse("bytes=100-", 100).outcome()).isEqualTo(Outcome.UNSATISFIABLE);
        assertThat(ByteRanges.parse("bytes=-0", 100).outcome()).isEqualTo(Outcome.UNSATISFIABLE);
        assertThat(ByteRanges.parse("bytes=0-", 0).outcome()).as("an empty file has no bytes to give").isEqualTo(Outcome.UNSATISFIABLE);
    }

    @Test
    void malformedOrForeignHeadersAreIgnored() {
        for (String h : List.of("bytes=5-1", "bytes=a-b", "bytes=1", "items=0-1", "bytes 0-1", "bytes=-", "bytes=--1",
                "bytes=99999999999999999999-", "bytes=0-1," + "0-1,".repeat(40))) {
            assertThat(ByteRanges.parse(h, 100).outcome()).as(h).isEqualTo(Outcome.IGNORED);
        }
        assertThat(ByteRanges.parse(null, 100).outcome()).isEqualTo(Outcome.IGNORED);
        assertThat(ByteRanges.parse("BYTES = 1-2", 100).ranges()).as("unit and spaces are lenient")
                .containsExactly(new Range(1, 2));
    }
}
