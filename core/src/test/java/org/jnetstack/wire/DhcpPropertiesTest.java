package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Hostile input never makes the DHCP parser throw or read outside its slice; what the writer builds parses back. */
class DhcpPropertiesTest {
    private final DhcpMessage msg = new DhcpMessage();

    @Property(tries = 2000)
    void randomOptionsAfterAValidHeaderNeverThrow(@ForAll @Size(max = 300) byte[] options, @ForAll @IntRange(max = 3) int overload,
                                                  @ForAll @Size(max = 192) byte[] fileAndSname) {
        byte[] b = new byte[240 + options.length + 8];
        System.arraycopy(DhcpCaptures.bytes(DhcpCaptures.OFFER), 0, b, 4, 240);
        System.arraycopy(fileAndSname, 0, b, 4 + 44, fileAndSname.length);
        System.arraycopy(options, 0, b, 4 + 240, options.length);
        if (overload > 0 && options.length > 3) {
            b[4 + 240] = DhcpMessage.OPT_OVERLOAD;
            b[4 + 241] = 1;
            b[4 + 242] = (byte) overload;
        }
        readAll(b, 4, 240 + options.length);
    }

    @Property(tries = 3000)
    void damagedCapturesNeverThrow(@ForAll("captures") byte[] b, @ForAll @Size(max = 8) List<@IntRange(max = 400) Integer> positions,
                                   @ForAll @Size(max = 8) List<Byte> values, @ForAll @IntRange(max = 80) int shorten) {
        for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
            b[positions.get(i) % b.length] = values.get(i);
        }
        readAll(b, 0, Math.max(0, b.length - shorten));
    }

    @Provide
    Arbitrary<byte[]> captures() {
        return Arbitraries.of(DhcpCaptures.DISCOVER, DhcpCaptures.OFFER, DhcpCaptures.REQUEST, DhcpCaptures.ACK).map(DhcpCaptures::bytes);
    }

    private void readAll(byte[] b, int off, int len) {
        if (msg.wrap(b, off, len).check() != null) {
            return;
        }
        msg.messageType();
        msg.clientMac();
        msg.serverName();
        msg.bootFile();
        msg.requests(1);
        for (int code = 0; code < 256; code++) {
            msg.bytes(code);
            msg.string(code);
            msg.optionU32(code, 0);
            msg.optionU16(code, 0);
            for (int i = 0; i <= msg.addressCount(code); i++) {
                msg.address(code, i);
            }
            if (msg.has(code)) {
                assertThat(msg.valueOffset(code) + msg.valueLength(code)).isLessThanOrEqualTo(msg.valueBuffer(code).length);
                if (msg.valueBuffer(code) == b) {
                    assertThat(msg.valueOffset(code)).isGreaterThanOrEqualTo(off);
                    assertThat(msg.valueOffset(code) + msg.valueLength(code)).isLessThanOrEqualTo(off + len);
                }
            }
        }
    }

    @Property(tries = 500)
    void whatTheWriterBuildsParsesBack(@ForAll int xid, @ForAll @IntRange(min = 1, max = 8) int type, @ForAll int address,
                                       @ForAll @Size(max = 5) List<Integer> servers, @ForAll @IntRange(max = 0xFFFF) int mtu,
                                       @ForAll @Size(max = 600) byte[] blob) {
        byte[] b = new byte[2000];
        DhcpWriter w = new DhcpWriter().start(b, 3, DhcpMessage.OP_REPLY, xid, 0x0200_0000_0001L).messageType(type)
                .address(DhcpMessage.OPT_REQUESTED_ADDRESS, address)
                .addresses(DhcpMessage.OPT_DNS_SERVERS, servers.stream().mapToInt(Integer::intValue).toArray())
                .optionU16(DhcpMessage.OPT_INTERFACE_MTU, mtu);
        if (blob.length > 0) {
            w.option(200, blob, 0, blob.length);
        }
        int n = w.finish();
        assertThat(msg.wrap(b, 3, n).check()).isNull();
        assertThat(msg.xid()).isEqualTo(xid);
        assertThat(msg.messageType()).isEqualTo(type);
        assertThat(msg.address(DhcpMessage.OPT_REQUESTED_ADDRESS)).isEqualTo(address);
        assertThat(msg.addressCount(DhcpMessage.OPT_DNS_SERVERS)).isEqualTo(servers.size());
        for (int i = 0; i < servers.size(); i++) {
            assertThat(msg.address(DhcpMessage.OPT_DNS_SERVERS, i)).isEqualTo(servers.get(i));
        }
        assertThat(msg.optionU16(DhcpMessage.OPT_INTERFACE_MTU, -1)).isEqualTo(mtu);
        assertThat(msg.bytes(200)).isEqualTo(blob.length > 0 ? blob : null);
    }
}
