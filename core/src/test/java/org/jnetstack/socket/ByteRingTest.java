package org.jnetstack.socket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ring against a plain queue over random reads and writes, both whole-array and contiguous-region. */
class ByteRingTest {
    @Test
    void behavesLikeAQueueOfBytes() {
        for (long seed = 0; seed < 50; seed++) {
            Random r = new Random(seed);
            int capacity = 1 + r.nextInt(100);
            ByteRing ring = new ByteRing(capacity);
            ArrayDeque<Byte> model = new ArrayDeque<>();
            byte next = 0;
            for (int step = 0; step < 2000; step++) {
                switch (r.nextInt(4)) {
                    case 0 -> { // write()
                        byte[] src = new byte[r.nextInt(capacity + 5)];
                        for (int i = 0; i < src.length; i++) {
                            src[i] = next++;
                        }
                        int n = ring.write(src, 0, src.length);
                        assertThat(n).isEqualTo(Math.min(src.length, capacity - model.size()));
                        for (int i = 0; i < n; i++) {
                            model.add(src[i]);
                        }
                        next = (byte) (next - (src.length - n));
                    }
                    case 1 -> { // the loop's contiguous write, as from TcpConnection.read
                        int room = ring.freeContiguous();
                        int n = room == 0 ? 0 : r.nextInt(room + 1);
                        byte[] a = ring.array();
                        for (int i = 0; i < n; i++) {
                            a[ring.tail() + i] = next;
                            model.add(next++);
                        }
                        ring.added(n);
                    }
                    case 2 -> { // read()
                        byte[] dst = new byte[r.nextInt(capacity + 5)];
                        int n = ring.read(dst, 0, dst.length);
                        assertThat(n).isEqualTo(Math.min(dst.length, model.size()));
                        for (int i = 0; i < n; i++) {
                            assertThat(dst[i]).isEqualTo(model.poll());
                        }
                    }
                    default -> { // the loop's contiguous read, as into TcpConnection.write
                        int avail = ring.usedContiguous();
                        int n = avail == 0 ? 0 : r.nextInt(avail + 1);
                        for (int i = 0; i < n; i++) {
                            assertThat(ring.array()[ring.head() + i]).isEqualTo(model.poll());
                        }
                        ring.removed(n);
                    }
                }
                assertThat(ring.size()).isEqualTo(model.size());
                assertThat(ring.free()).isEqualTo(capacity - model.size());
                assertThat(ring.freeContiguous()).isLessThanOrEqualTo(ring.free());
                assertThat(ring.usedContiguous()).isLessThanOrEqualTo(ring.size());
                if (ring.size() > 0) {
                    assertThat(ring.usedContiguous()).isPositive();
                }
                if (ring.free() > 0) {
                    assertThat(ring.freeContiguous()).isPositive();
                }
            }
        }
    }
}
