package org.jnetstack.link;

/**
 * The classic libpcap file format (https://wiki.wireshark.org/Development/LibpcapFileFormat,
 * draft-ietf-opsawg-pcap): a 24-byte global header, then per frame a 16-byte record header and
 * the captured bytes. Written in big-endian order, which the magic number announces, so files are
 * identical whatever machine wrote them. Microsecond timestamps.
 */
final class PcapFormat {
    static final int MAGIC = 0xa1b2c3d4;
    static final int VERSION_MAJOR = 2;
    static final int VERSION_MINOR = 4;
    static final int SNAPLEN = 65_535;
    /** LINKTYPE_ETHERNET */
    static final int LINKTYPE_ETHERNET = 1;
    static final int GLOBAL_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;

    private PcapFormat() {
    }

    static void writeGlobalHeader(byte[] b, int off, int snaplen) {
        putInt(b, off, MAGIC);
        putShort(b, off + 4, VERSION_MAJOR);
        putShort(b, off + 6, VERSION_MINOR);
        putInt(b, off + 8, 0);        // thiszone: timestamps are UTC
        putInt(b, off + 12, 0);       // sigfigs
        putInt(b, off + 16, snaplen);
        putInt(b, off + 20, LINKTYPE_ETHERNET);
    }

    static void writeRecordHeader(byte[] b, int off, long epochMicros, int capturedLength, int originalLength) {
        putInt(b, off, (int) Math.floorDiv(epochMicros, 1_000_000L));
        putInt(b, off + 4, (int) Math.floorMod(epochMicros, 1_000_000L));
        putInt(b, off + 8, capturedLength);
        putInt(b, off + 12, originalLength);
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }
}
