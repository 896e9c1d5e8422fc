package org.jnetstack.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ring against a plain queue over random reads and writes, both whole-array and contiguous-region; overwriting, buffers and storage handover. */
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
                        ring.skip(n);
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

    @Test
    void overwritingKeepsTheNewestBytesAndCountsTheDropped() {
        ByteRing ring = new ByteRing(5);
        assertThat(ring.writeOverwriting(new byte[] {1, 2, 3}, 0, 3)).isZero();
        assertThat(ring.writeOverwriting(new byte[] {4, 5, 6, 7}, 0, 4)).as("two oldest dropped").isEqualTo(2);
        assertThat(ring.toByteArray()).containsExactly(3, 4, 5, 6, 7);
        assertThat(ring.writeOverwriting(new byte[] {8, 9, 10, 11, 12, 13, 14}, 0, 7))
                .as("all five held and two of the new ones").isEqualTo(7);
        assertThat(ring.toByteArray()).containsExactly(10, 11, 12, 13, 14);
        byte[] two = new byte[2];
        assertThat(ring.peek(two, 0, 2)).isEqualTo(2);
        assertThat(two).containsExactly(10, 11);
        assertThat(ring.size()).as("peek removes nothing").isEqualTo(5);
        assertThat(ring.skip(9)).as("skip stops at what is held").isEqualTo(5);
        assertThat(ring.isEmpty()).isTrue();
    }

    @Test
    void movesBytesThroughByteBuffersAcrossTheWrap() {
        ByteRing ring = new ByteRing(8);
        ring.write(new byte[6], 0, 6);
        ring.skip(6); // empty: head back at 0
        ring.write(new byte[] {9, 9, 9, 9, 9}, 0, 5);
        ring.skip(5);
        ByteBuffer src = ByteBuffer.allocateDirect(10);
        for (int i = 0; i < 10; i++) {
            src.put((byte) i);
        }
        src.flip();
        assertThat(ring.put(src)).isEqualTo(8);
        assertThat(src.remaining()).isEqualTo(2);
        ByteBuffer dst = ByteBuffer.allocate(5);
        assertThat(ring.take(dst)).isEqualTo(5);
        assertThat(dst.array()).containsExactly(0, 1, 2, 3, 4);
        assertThat(ring.size()).isEqualTo(3);
    }

    @Test
    void storageHandedOverKeepsTheContentInOrder() {
        ByteRing ring = ByteRing.withoutStorage();
        assertThat(ring.capacity()).isZero();
        assertThat(ring.hasStorage()).isFalse();
        assertThat(ring.array()).as("an owner-managed ring allocates nothing itself").isNull();
        assertThat(ring.replaceStorage(new byte[4])).isNull();
        ring.write(new byte[] {1, 2, 3, 4}, 0, 4);
        ring.skip(3);
        ring.write(new byte[] {5, 6}, 0, 2); // wraps: 4 at index 3, then 5 and 6 at 0 and 1
        byte[] old = ring.replaceStorage(new byte[8]);
        assertThat(old).hasSize(4);
        assertThat(ring.capacity()).isEqualTo(8);
        assertThat(ring.head()).isZero();
        assertThat(ring.toByteArray()).containsExactly(4, 5, 6);
        assertThatThrownBy(() -> ring.replaceStorage(new byte[2])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot hold the 3 bytes held");
        assertThatThrownBy(() -> ring.replaceStorage(null)).isInstanceOf(IllegalArgumentException.class);
        ring.skip(3);
        assertThat(ring.replaceStorage(null)).hasSize(8);
        assertThat(ring.hasStorage()).isFalse();
        assertThat(ring.free()).isZero();
    }
}
