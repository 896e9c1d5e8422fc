package org.jnetstack.wire;

/**
 * Writes Neighbor Discovery messages (RFC 4861 §4.1–4.4) at the ICMPv6 message offset, with a
 * zero checksum: the caller then calls {@link Icmpv6Message#writeChecksum} with the IPv6
 * addresses, and sends with hop limit 255 ({@link NdpMessage#HOP_LIMIT}). Every reserved field is
 * written as zero, so the buffer may hold old bytes. Nothing is allocated.
 */
public final class NdpWriter {
    private NdpWriter() {
    }

    /**
     * A Neighbor Solicitation for {@code target} (RFC 4861 §4.3), with a source link-layer address
     * option unless {@code sourceMacOrMinus1} is -1: it must be left out when the source address is
     * unspecified, as in Duplicate Address Detection (§4.3, RFC 4862 §5.4.2).
     *
     * @return the message length, 24 or 32
     */
    public static int writeNeighborSolicitation(byte[] buf, int off, long targetHi, long targetLo, long sourceMacOrMinus1) {
        Icmpv6Message.writeHeader(buf, off, Icmpv6Message.TYPE_NEIGHBOR_SOLICITATION, 0, 0);
        Ipv6Address.write(buf, off + 8, targetHi, targetLo);
        int n = NdpMessage.NS_LENGTH;
        if (sourceMacOrMinus1 != -1) {
            n += writeLinkLayerOption(buf, off + n, NdpOptions.TYPE_SOURCE_LL, sourceMacOrMinus1);
        }
        return n;
    }

    /**
     * A Neighbor Advertisement (RFC 4861 §4.4) with flags R, S and O, and a target link-layer
     * address option unless {@code targetMacOrMinus1} is -1.
     *
     * @return the message length, 24 or 32
     */
    public static int writeNeighborAdvertisement(byte[] buf, int off, boolean router, boolean solicited, boolean override,
                                                 long targetHi, long targetLo, long targetMacOrMinus1) {
        int flags = (router ? 0x80 : 0) | (solicited ? 0x40 : 0) | (override ? 0x20 : 0);
        Icmpv6Message.writeHeader(buf, off, Icmpv6Message.TYPE_NEIGHBOR_ADVERTISEMENT, 0, flags << 24);
        Ipv6Address.write(buf, off + 8, targetHi, targetLo);
        int n = NdpMessage.NA_LENGTH;
        if (targetMacOrMinus1 != -1) {
            n += writeLinkLayerOption(buf, off + n, NdpOptions.TYPE_TARGET_LL, targetMacOrMinus1);
        }
        return n;
    }

    /**
     * A Router Solicitation (RFC 4861 §4.1) with a source link-layer address option unless
     * {@code sourceMacOrMinus1} is -1 (it must be, from the unspecified address).
     *
     * @return the message length, 8 or 16
     */
    public static int writeRouterSolicitation(byte[] buf, int off, long sourceMacOrMinus1) {
        Icmpv6Message.writeHeader(buf, off, Icmpv6Message.TYPE_ROUTER_SOLICITATION, 0, 0);
        int n = NdpMessage.RS_LENGTH;
        if (sourceMacOrMinus1 != -1) {
            n += writeLinkLayerOption(buf, off + n, NdpOptions.TYPE_SOURCE_LL, sourceMacOrMinus1);
        }
        return n;
    }

    /**
     * A Router Advertisement (RFC 4861 §4.2) as {@code ra} describes it; options in the order
     * prefix information (§4.6.2), MTU (§4.6.4), source link-layer address (§4.6.1) and RDNSS
     * (RFC 8106 §5.1), the order dnsmasq uses.
     *
     * @return the message length, {@link RouterAdvertisement#length()}
     */
    public static int writeRouterAdvertisement(byte[] buf, int off, RouterAdvertisement ra) {
        int flags = (ra.managed ? 0x80 : 0) | (ra.other ? 0x40 : 0);
        Icmpv6Message.writeHeader(buf, off, Icmpv6Message.TYPE_ROUTER_ADVERTISEMENT, 0,
                ra.curHopLimit << 24 | flags << 16 | ra.routerLifetime);
        Bytes.putI32(buf, off + 8, (int) ra.reachableTime);
        Bytes.putI32(buf, off + 12, (int) ra.retransTimer);
        int n = NdpMessage.RA_LENGTH;
        for (int i = 0; i < ra.prefixCount; i++) {
            int p = off + n;
            buf[p] = NdpOptions.TYPE_PREFIX_INFO;
            buf[p + 1] = NdpOptions.PREFIX_INFO_LENGTH / NdpOptions.UNIT;
            buf[p + 2] = (byte) ra.prefixLength[i];
            buf[p + 3] = (byte) ((ra.prefixOnLink[i] ? 0x80 : 0) | (ra.prefixAutonomous[i] ? 0x40 : 0));
            Bytes.putI32(buf, p + 4, (int) ra.prefixValid[i]);
            Bytes.putI32(buf, p + 8, (int) ra.prefixPreferred[i]);
            Bytes.putI32(buf, p + 12, 0);
            Ipv6Address.write(buf, p + 16, ra.prefixHi[i], ra.prefixLo[i]);
            n += NdpOptions.PREFIX_INFO_LENGTH;
        }
        if (ra.mtu != 0) {
            int p = off + n;
            Bytes.putU16(buf, p, NdpOptions.TYPE_MTU << 8 | 1);
            Bytes.putU16(buf, p + 2, 0);
            Bytes.putI32(buf, p + 4, (int) ra.mtu);
            n += NdpOptions.MTU_LENGTH;
        }
        if (ra.sourceMac != -1) {
            n += writeLinkLayerOption(buf, off + n, NdpOptions.TYPE_SOURCE_LL, ra.sourceMac);
        }
        if (ra.dnsCount > 0) {
            int p = off + n;
            int units = 1 + 2 * ra.dnsCount;
            Bytes.putU16(buf, p, NdpOptions.TYPE_RDNSS << 8 | units);
            Bytes.putU16(buf, p + 2, 0);
            Bytes.putI32(buf, p + 4, (int) ra.dnsLifetime);
            for (int i = 0; i < ra.dnsCount; i++) {
                Ipv6Address.write(buf, p + 8 + 16 * i, ra.dnsHi[i], ra.dnsLo[i]);
            }
            n += units * NdpOptions.UNIT;
        }
        return n;
    }

    /** A source (type 1) or target (type 2) link-layer address option for Ethernet (RFC 4861 §4.6.1); returns 8. */
    public static int writeLinkLayerOption(byte[] buf, int off, int type, long mac) {
        buf[off] = (byte) type;
        buf[off + 1] = 1;
        MacAddress.write(buf, off + 2, mac);
        return NdpOptions.LINK_LAYER_LENGTH;
    }

    /**
     * What {@link #writeRouterAdvertisement} writes: a reusable holder (set it once, or reset the
     * lists with {@link #clearPrefixes()} and {@link #clearDnsServers()}). Lists are bounded:
     * adding beyond {@link #MAX_PREFIXES} or {@link #MAX_DNS_SERVERS} throws.
     */
    public static final class RouterAdvertisement {
        public static final int MAX_PREFIXES = 8;
        public static final int MAX_DNS_SERVERS = 8;

        private int curHopLimit = 64;
        private boolean managed;
        private boolean other;
        private int routerLifetime = 1800;
        private long reachableTime;
        private long retransTimer;
        private long sourceMac = -1;
        private long mtu;
        private int prefixCount;
        private final long[] prefixHi = new long[MAX_PREFIXES];
        private final long[] prefixLo = new long[MAX_PREFIXES];
        private final int[] prefixLength = new int[MAX_PREFIXES];
        private final boolean[] prefixOnLink = new boolean[MAX_PREFIXES];
        private final boolean[] prefixAutonomous = new boolean[MAX_PREFIXES];
        private final long[] prefixValid = new long[MAX_PREFIXES];
        private final long[] prefixPreferred = new long[MAX_PREFIXES];
        private int dnsCount;
        private final long[] dnsHi = new long[MAX_DNS_SERVERS];
        private final long[] dnsLo = new long[MAX_DNS_SERVERS];
        private long dnsLifetime = 1200;

        /** Hop limit hosts should use, 0 for unspecified (default 64). */
        public RouterAdvertisement curHopLimit(int v) {
            this.curHopLimit = v & 0xFF;
            return this;
        }

        public RouterAdvertisement managed(boolean v) {
            this.managed = v;
            return this;
        }

        public RouterAdvertisement other(boolean v) {
            this.other = v;
            return this;
        }

        /** Seconds, 0..65535; 0: not a default router (default 1800, RFC 4861 §6.2.1's 3 × MaxRtrAdvInterval). */
        public RouterAdvertisement routerLifetime(int seconds) {
            this.routerLifetime = seconds & 0xFFFF;
            return this;
        }

        /** Milliseconds, 0 for unspecified. */
        public RouterAdvertisement reachableTime(long millis) {
            this.reachableTime = millis;
            return this;
        }

        /** Milliseconds, 0 for unspecified. */
        public RouterAdvertisement retransTimer(long millis) {
            this.retransTimer = millis;
            return this;
        }

        /** The router's MAC for the source link-layer address option, or -1 for none. */
        public RouterAdvertisement sourceMac(long mac) {
            this.sourceMac = mac;
            return this;
        }

        /** The link MTU for the MTU option, or 0 for none. */
        public RouterAdvertisement mtu(long mtu) {
            this.mtu = mtu;
            return this;
        }

        public RouterAdvertisement clearPrefixes() {
            prefixCount = 0;
            return this;
        }

        /** Adds a prefix information option; lifetimes in seconds, 0xFFFFFFFF for infinity. */
        public RouterAdvertisement addPrefix(long hi, long lo, int length, boolean onLink, boolean autonomous,
                                             long validLifetime, long preferredLifetime) {
            if (prefixCount == MAX_PREFIXES) {
                throw new IllegalStateException("at most " + MAX_PREFIXES + " prefixes; call clearPrefixes() first");
            }
            Ipv6Address.checkPrefixLength(length);
            int i = prefixCount++;
            prefixHi[i] = hi;
            prefixLo[i] = lo;
            prefixLength[i] = length;
            prefixOnLink[i] = onLink;
            prefixAutonomous[i] = autonomous;
            prefixValid[i] = validLifetime;
            prefixPreferred[i] = preferredLifetime;
            return this;
        }

        public RouterAdvertisement clearDnsServers() {
            dnsCount = 0;
            return this;
        }

        /** Adds a recursive DNS server to the RDNSS option (RFC 8106 §5.1). */
        public RouterAdvertisement addDnsServer(long hi, long lo) {
            if (dnsCount == MAX_DNS_SERVERS) {
                throw new IllegalStateException("at most " + MAX_DNS_SERVERS + " DNS servers; call clearDnsServers() first");
            }
            dnsHi[dnsCount] = hi;
            dnsLo[dnsCount] = lo;
            dnsCount++;
            return this;
        }

        /**
         * Seconds the DNS servers may be used (RFC 8106 §5.1); 0xFFFFFFFF for infinity, 0 to tell hosts
         * to stop using them. Default 1200, twice the default MaxRtrAdvInterval as §5.1 suggests.
         */
        public RouterAdvertisement dnsLifetime(long seconds) {
            this.dnsLifetime = seconds;
            return this;
        }

        public int prefixCount() {
            return prefixCount;
        }

        public int dnsServerCount() {
            return dnsCount;
        }

        /** The length of the message {@link #writeRouterAdvertisement} writes. */
        public int length() {
            return NdpMessage.RA_LENGTH + prefixCount * NdpOptions.PREFIX_INFO_LENGTH
                    + (mtu != 0 ? NdpOptions.MTU_LENGTH : 0) + (sourceMac != -1 ? NdpOptions.LINK_LAYER_LENGTH : 0)
                    + (dnsCount > 0 ? NdpOptions.UNIT * (1 + 2 * dnsCount) : 0);
        }
    }
}
