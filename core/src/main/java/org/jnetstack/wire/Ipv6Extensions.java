package org.jnetstack.wire;

/**
 * Walks an IPv6 packet's extension header chain once (RFC 8200 §4) and keeps what it found in
 * fields: the upper-layer protocol and where it starts, the fragment header, the Hop-by-Hop
 * Router Alert (RFC 2711), and whether the packet must be dropped and answered with a Parameter
 * Problem. Reusable; allocates nothing; never throws on any bytes.
 *
 * <p>The walk is bounded: every header is at least 8 bytes and must lie inside the packet, and
 * at most {@link #MAX_HEADERS} headers, {@link #MAX_OPTIONS} non-padding options per header and
 * {@link #MAX_PADDING} consecutive padding bytes are accepted. RFC 8504 §5.3 lets a host set such
 * limits so that a packet cannot make it do unbounded work: real traffic carries one or two
 * extension headers with one option each (RFC 8200 Appendix A), and alignment never needs more
 * than 7 bytes of padding.
 *
 * <p>Pointers ({@link #problemPointer()}, {@link #upperNextHeaderPointer()}) count from the first
 * byte of the IPv6 header, as an ICMPv6 Parameter Problem's pointer does (RFC 4443 §3.4): the
 * walk assumes the bytes it is given start right after the 40-byte fixed header.
 */
public final class Ipv6Extensions {
    /** Most extension headers accepted in one packet (RFC 8504 §5.3). */
    public static final int MAX_HEADERS = 16;
    /** Most non-padding options accepted in one Hop-by-Hop or Destination Options header (RFC 8504 §5.3; Linux's default too). */
    public static final int MAX_OPTIONS = 8;
    /** Most consecutive padding bytes (Pad1 and PadN) accepted: alignment needs at most 7 (RFC 8200 §4.2, Appendix A). */
    public static final int MAX_PADDING = 7;

    /** Option types (RFC 8200 §4.2, RFC 2711 §2). */
    public static final int OPTION_PAD1 = 0;
    public static final int OPTION_PADN = 1;
    public static final int OPTION_ROUTER_ALERT = 5;
    /** Router Alert value for MLD messages (RFC 2711 §2). */
    public static final int ROUTER_ALERT_MLD = 0;
    /** Fragment header length (RFC 8200 §4.5). */
    public static final int FRAGMENT_HEADER_LENGTH = 8;
    /** Largest IPv6 packet without jumbograms: a fragment's offset plus its data must stay within it (RFC 8200 §4.5). */
    public static final int MAX_PACKET = 65535;

    private static final int UNIT = 8;

    private int base;
    private int upperProtocol;
    private int upperOffset;
    private int upperPointer;
    private int headerCount;
    private int fragmentHeader;
    private int fragmentOffset;
    private boolean more;
    private long fragmentId;
    private boolean chainIncomplete;
    private int problemCode;
    private int problemPointer;
    private boolean silentDrop;
    private boolean toMulticast;
    private int routerAlert;

    /**
     * Walks the chain in the {@code len} bytes at {@code off} (everything after the fixed header,
     * as far as the payload length says) starting with {@code firstNextHeader}, the fixed header's
     * next header value.
     *
     * @return null if the packet may go on to its upper layer (or to reassembly); otherwise why it
     *     must be dropped, and then {@link #problemCode()} says whether to send a Parameter
     *     Problem and {@link #silentDrop()} whether the drop is silent by the option's own wish
     */
    public Malformed walk(byte[] buf, int off, int len, int firstNextHeader) {
        Bytes.checkSlice(buf, off, len);
        clear(off);
        int end = off + len;
        int pos = off;
        int nh = firstNextHeader & 0xFF;
        int nhField = off - Ipv6Packet.HEADER_LENGTH + Ipv6Packet.NEXT_HEADER;
        while (true) {
            int hlen;
            switch (nh) {
                case Ipv6Packet.NH_HOP_BY_HOP, Ipv6Packet.NH_DESTINATION_OPTIONS -> {
                    if (nh == Ipv6Packet.NH_HOP_BY_HOP && pos != off) {
                        // RFC 8200 §4.1: Hop-by-Hop only directly after the IPv6 header; elsewhere it is
                        // an unrecognized Next Header value (§4, code 1 pointing at that value).
                        return problem(Malformed.BAD_EXTENSION_ORDER, Icmpv6Message.CODE_UNRECOGNIZED_NEXT_HEADER, nhField);
                    }
                    if (headerCount == MAX_HEADERS) {
                        return Malformed.EXTENSION_LIMIT;
                    }
                    if (end - pos < 2) {
                        return chainCut(Malformed.TRUNCATED);
                    }
                    hlen = (Bytes.u8(buf, pos + 1) + 1) * UNIT;
                    if (hlen > end - pos) {
                        return chainCut(Malformed.BAD_HEADER_LENGTH);
                    }
                    Malformed m = options(buf, pos, hlen, nh == Ipv6Packet.NH_HOP_BY_HOP);
                    if (m != null) {
                        return m;
                    }
                }
                case Ipv6Packet.NH_ROUTING -> {
                    if (headerCount == MAX_HEADERS) {
                        return Malformed.EXTENSION_LIMIT;
                    }
                    if (end - pos < 2) {
                        return chainCut(Malformed.TRUNCATED);
                    }
                    hlen = (Bytes.u8(buf, pos + 1) + 1) * UNIT;
                    if (hlen > end - pos) {
                        return chainCut(Malformed.BAD_HEADER_LENGTH);
                    }
                    // A host routes nothing: with segments left it is an unrecognized routing type
                    // (RFC 8200 §4.4), type 0 included (RFC 5095 §3): code 0 pointing at the type.
                    // With segments left 0 the header is ignored, whatever its type.
                    if (Bytes.u8(buf, pos + 3) != 0) {
                        return problem(Malformed.BAD_ROUTING_HEADER, Icmpv6Message.CODE_ERRONEOUS_HEADER, pos + 2);
                    }
                }
                case Ipv6Packet.NH_FRAGMENT -> {
                    if (headerCount == MAX_HEADERS) {
                        return Malformed.EXTENSION_LIMIT;
                    }
                    if (end - pos < FRAGMENT_HEADER_LENGTH) {
                        return chainCut(Malformed.TRUNCATED);
                    }
                    hlen = FRAGMENT_HEADER_LENGTH;
                    if (fragmentHeader < 0) {
                        Malformed m = fragment(buf, pos, end);
                        if (m != null || fragmentOffset != 0) {
                            // Past a non-first fragment's header lie data, not headers.
                            if (m == null) {
                                upper(Bytes.u8(buf, pos), pos + FRAGMENT_HEADER_LENGTH, pos);
                            }
                            return m;
                        }
                    }
                }
                case Ipv6Packet.NH_AH -> {
                    if (headerCount == MAX_HEADERS) {
                        return Malformed.EXTENSION_LIMIT;
                    }
                    if (end - pos < 2) {
                        return chainCut(Malformed.TRUNCATED);
                    }
                    // RFC 4302 §2.2: the length is in 4-byte units, minus 2.
                    hlen = (Bytes.u8(buf, pos + 1) + 2) * 4;
                    if (hlen > end - pos) {
                        return chainCut(Malformed.BAD_HEADER_LENGTH);
                    }
                }
                default -> {
                    upper(nh, pos, nhField);
                    if (firstFragmentWithMore() && end - pos < upperHeaderLength(nh)) {
                        return chainCut(Malformed.TRUNCATED);
                    }
                    return null;
                }
            }
            headerCount++;
            nhField = pos;
            nh = Bytes.u8(buf, pos);
            pos += hlen;
        }
    }

    private void clear(int off) {
        base = off - Ipv6Packet.HEADER_LENGTH;
        upperProtocol = -1;
        upperOffset = -1;
        upperPointer = -1;
        headerCount = 0;
        fragmentHeader = -1;
        fragmentOffset = 0;
        more = false;
        fragmentId = 0;
        chainIncomplete = false;
        problemCode = -1;
        problemPointer = -1;
        silentDrop = false;
        toMulticast = false;
        routerAlert = -1;
    }

    private void upper(int protocol, int offset, int nhField) {
        upperProtocol = protocol;
        upperOffset = offset;
        upperPointer = nhField - base;
    }

    /** Records the first fragment header and checks it against RFC 8200 §4.5. */
    private Malformed fragment(byte[] buf, int pos, int end) {
        fragmentHeader = pos;
        int word = Bytes.u16(buf, pos + 2);
        fragmentOffset = word & 0xFFF8;
        more = (word & 1) != 0;
        fragmentId = Bytes.u32(buf, pos + 4);
        int dataLength = end - pos - FRAGMENT_HEADER_LENGTH;
        if (more && (dataLength & 7) != 0) {
            // §4.5: not the last fragment, and its length is not a multiple of 8 octets: code 0
            // pointing at the payload length field.
            return problem(Malformed.BAD_LENGTH, Icmpv6Message.CODE_ERRONEOUS_HEADER, base + Ipv6Packet.PAYLOAD_LENGTH);
        }
        if (fragmentOffset + dataLength > MAX_PACKET) {
            // §4.5: offset plus length beyond 65535: code 0 pointing at the fragment offset field.
            return problem(Malformed.BAD_FRAGMENT_OFFSET, Icmpv6Message.CODE_ERRONEOUS_HEADER, pos + 2);
        }
        return null;
    }

    private boolean firstFragmentWithMore() {
        return fragmentHeader >= 0 && fragmentOffset == 0 && more;
    }

    /** The smallest upper-layer header the first fragment must hold whole (RFC 7112 §5); 0 where unknown. */
    private static int upperHeaderLength(int protocol) {
        return switch (protocol) {
            case Ipv6Packet.NH_TCP -> 20;
            case Ipv6Packet.NH_UDP, Ipv6Packet.NH_ESP -> 8;
            case Ipv6Packet.NH_ICMPV6 -> Icmpv6Message.HEADER_LENGTH;
            default -> 0;
        };
    }

    /**
     * The chain runs past the end of the bytes. In a first fragment that is not the only one,
     * that is RFC 7112 §5's incomplete header chain (Parameter Problem code 3, pointer 0);
     * elsewhere the packet is simply malformed.
     */
    private Malformed chainCut(Malformed otherwise) {
        if (firstFragmentWithMore()) {
            chainIncomplete = true;
            problemCode = Icmpv6Message.CODE_INCOMPLETE_CHAIN;
            problemPointer = 0;
            return Malformed.INCOMPLETE_CHAIN;
        }
        return otherwise;
    }

    private Malformed problem(Malformed reason, int code, int at) {
        problemCode = code;
        problemPointer = at - base;
        return reason;
    }

    /** The options of a Hop-by-Hop or Destination Options header (RFC 8200 §4.2) of {@code hlen} bytes at {@code hdr}. */
    private Malformed options(byte[] buf, int hdr, int hlen, boolean hopByHop) {
        int p = hdr + 2;
        int end = hdr + hlen;
        int padding = 0;
        int count = 0;
        while (p < end) {
            int type = Bytes.u8(buf, p);
            if (type == OPTION_PAD1) {
                if (++padding > MAX_PADDING) {
                    return Malformed.EXTENSION_LIMIT;
                }
                p++;
                continue;
            }
            if (end - p < 2 || Bytes.u8(buf, p + 1) > end - p - 2) {
                return Malformed.BAD_OPTION;
            }
            int dataLength = Bytes.u8(buf, p + 1);
            if (type == OPTION_PADN) {
                padding += 2 + dataLength;
                if (padding > MAX_PADDING) {
                    return Malformed.EXTENSION_LIMIT;
                }
                p += 2 + dataLength;
                continue;
            }
            padding = 0;
            if (++count > MAX_OPTIONS) {
                return Malformed.EXTENSION_LIMIT;
            }
            if (type == OPTION_ROUTER_ALERT && hopByHop && dataLength == 2) {
                routerAlert = Bytes.u16(buf, p + 2);
            } else {
                Malformed m = unrecognized(type, p);
                if (m != null) {
                    return m;
                }
            }
            p += 2 + dataLength;
        }
        return null;
    }

    /**
     * An option we do not know: its type's two high bits say what to do (RFC 8200 §4.2): 00 skip
     * it; 01 discard the packet; 10 discard and send a Parameter Problem (code 2, pointing at the
     * option type) even to a multicast destination; 11 the same, unless the destination was multicast.
     */
    private Malformed unrecognized(int type, int at) {
        switch (type >>> 6) {
            case 0 -> {
                return null;
            }
            case 1 -> {
                silentDrop = true;
                return Malformed.UNRECOGNIZED_OPTION;
            }
            default -> {
                toMulticast = (type >>> 6) == 2;
                return problem(Malformed.UNRECOGNIZED_OPTION, Icmpv6Message.CODE_UNRECOGNIZED_OPTION, at);
            }
        }
    }

    /** The upper-layer protocol after the chain ({@link Ipv6Packet#NH_NONE} for "no next header"), -1 if the walk failed first. */
    public int upperProtocol() {
        return upperProtocol;
    }

    /** Where the upper-layer header starts; for a non-first fragment, where its fragment data start. */
    public int upperOffset() {
        return upperOffset;
    }

    /**
     * Where the next header field naming {@link #upperProtocol()} is, from the IPv6 header's first
     * byte: the pointer of a Parameter Problem code 1 when the IP layer knows no such protocol
     * (RFC 8200 §4, RFC 4443 §3.4).
     */
    public int upperNextHeaderPointer() {
        return upperPointer;
    }

    /** Extension headers walked (the limit is {@link #MAX_HEADERS}). */
    public int headerCount() {
        return headerCount;
    }

    /**
     * Whether the packet has a fragment header. An atomic fragment (offset 0, M=0, RFC 6946) has
     * one too: the IP layer processes it in isolation, without reassembly (RFC 6946 §4).
     */
    public boolean hasFragment() {
        return fragmentHeader >= 0;
    }

    /** A fragment header with offset 0 and M=0 (RFC 6946). */
    public boolean atomicFragment() {
        return fragmentHeader >= 0 && fragmentOffset == 0 && !more;
    }

    public int fragmentHeaderOffset() {
        return fragmentHeader;
    }

    /** The fragment offset in bytes (the field times 8). */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    public boolean moreFragments() {
        return more;
    }

    public long fragmentId() {
        return fragmentId;
    }

    /** Where the per-fragment headers end: the fragment header's offset, or -1 without one (RFC 8200 §4.5). */
    public int unfragmentableEnd() {
        return fragmentHeader;
    }

    /** Where the fragment's data (its fragmentable part) start, after the fragment header; -1 without one. */
    public int fragmentDataOffset() {
        return fragmentHeader < 0 ? -1 : fragmentHeader + FRAGMENT_HEADER_LENGTH;
    }

    /**
     * True when a first fragment (offset 0, more to come) ends before its header chain and the
     * upper-layer header do (RFC 7112 §5): the packet is dropped ({@link Malformed#INCOMPLETE_CHAIN}).
     */
    public boolean chainIncomplete() {
        return chainIncomplete;
    }

    /** The Parameter Problem code to answer with (RFC 4443 §3.4, RFC 7112 §5), or -1 for none. */
    public int problemCode() {
        return problemCode;
    }

    /** The Parameter Problem pointer, from the IPv6 header's first byte, or -1 for none. */
    public int problemPointer() {
        return problemPointer;
    }

    /** An unknown option with action 01 asked for the packet to be dropped without a word (RFC 8200 §4.2). */
    public boolean silentDrop() {
        return silentDrop;
    }

    /**
     * Whether the Parameter Problem for an unknown option goes out even when the packet's
     * destination was multicast (action 10); with action 11 it does not (RFC 8200 §4.2).
     */
    public boolean sendProblemToMulticast() {
        return toMulticast;
    }

    /** Whether the Hop-by-Hop header carried a Router Alert option (RFC 2711). */
    public boolean routerAlert() {
        return routerAlert >= 0;
    }

    /** The Router Alert value (0: MLD, RFC 2711 §2), or -1 without one. */
    public int routerAlertValue() {
        return routerAlert;
    }

    /**
     * Writes a fragment header (RFC 8200 §4.5): {@code fragmentOffset} in bytes, a multiple of 8.
     *
     * @return 8
     */
    public static int writeFragmentHeader(byte[] buf, int off, int nextHeader, int fragmentOffset, boolean more, int id) {
        if ((fragmentOffset & 7) != 0 || fragmentOffset < 0 || fragmentOffset > 0xFFF8) {
            throw new IllegalArgumentException("fragment offset must be a multiple of 8 in 0..65528: " + fragmentOffset);
        }
        buf[off] = (byte) nextHeader;
        buf[off + 1] = 0;
        Bytes.putU16(buf, off + 2, fragmentOffset | (more ? 1 : 0));
        Bytes.putI32(buf, off + 4, id);
        return FRAGMENT_HEADER_LENGTH;
    }

    /**
     * Writes the 8-byte Hop-by-Hop Options header MLD messages carry (RFC 3810 §5, RFC 2711 §2):
     * a Router Alert with value 0 (MLD), then a 2-byte PadN to fill the 8 bytes.
     *
     * @return 8
     */
    public static int writeHopByHopRouterAlert(byte[] buf, int off, int nextHeader) {
        buf[off] = (byte) nextHeader;
        buf[off + 1] = 0;
        buf[off + 2] = OPTION_ROUTER_ALERT;
        buf[off + 3] = 2;
        Bytes.putU16(buf, off + 4, ROUTER_ALERT_MLD);
        buf[off + 6] = OPTION_PADN;
        buf[off + 7] = 0;
        return UNIT;
    }
}
