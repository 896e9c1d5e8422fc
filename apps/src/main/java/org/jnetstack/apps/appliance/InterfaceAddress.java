package org.jnetstack.apps.appliance;

import org.jnetstack.wire.Ipv4Address;

/**
 * The address a stack takes on its interface, written {@code ADDR/PREFIX} (CIDR notation,
 * RFC 4632 §3.1): {@code 10.0.0.2/24} is host 10.0.0.2 on network 10.0.0.0 with netmask
 * 255.255.255.0.
 */
public record InterfaceAddress(Ipv4Address address, int prefixLength) {
    public static final String FORM = "ADDR/PREFIX like 10.0.0.2/24";

    public InterfaceAddress {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0-32: " + prefixLength);
        }
    }

    /**
     * Parses {@code ADDR/PREFIX} and checks that ADDR can be a host's own address on that
     * network.
     *
     * @throws IllegalArgumentException whose message names the input, the problem and the
     *     accepted form
     */
    public static InterfaceAddress parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' has no prefix length: expected " + FORM);
        }
        String addrPart = text.substring(0, slash);
        String prefixPart = text.substring(slash + 1);
        int addr;
        try {
            addr = Ipv4Address.parseBits(addrPart);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': invalid IPv4 address '" + addrPart
                    + "' (four decimal numbers 0-255): expected " + FORM);
        }
        if (prefixPart.isEmpty() || prefixPart.length() > 2 || !prefixPart.chars().allMatch(Character::isDigit)
                || Integer.parseInt(prefixPart) > 32) {
            throw new IllegalArgumentException("'" + text + "': prefix length '" + prefixPart
                    + "' must be a number 0-32: expected " + FORM);
        }
        int prefix = Integer.parseInt(prefixPart);
        String problem = hostAddressProblem(addr, prefix);
        if (problem != null) {
            throw new IllegalArgumentException("'" + text + "' " + problem + ": expected a host address, " + FORM);
        }
        return new InterfaceAddress(new Ipv4Address(addr), prefix);
    }

    /** Why {@code addr} cannot be a host's own address on a /{@code prefix} network, or null. */
    private static String hostAddressProblem(int addr, int prefix) {
        if (addr == 0) {
            return "is the unspecified address 0.0.0.0";
        }
        if (addr == -1) {
            return "is the limited broadcast address";
        }
        if ((addr >>> 24) == 127) {
            return "is a loopback address (127.0.0.0/8)";
        }
        if (Ipv4Address.isMulticast(addr)) {
            return "is a multicast address (224.0.0.0/4)";
        }
        if ((addr >>> 28) == 0xF) {
            return "is in the reserved range 240.0.0.0/4";
        }
        // RFC 1122 §3.2.1.3: host part all zeros or all ones names the network / its broadcast.
        // /31 (RFC 3021) and /32 have no such addresses.
        if (prefix <= 30) {
            int hostMask = ~Ipv4Address.mask(prefix);
            if ((addr & hostMask) == 0) {
                return "is the network address of its prefix";
            }
            if ((addr & hostMask) == hostMask) {
                return "is the broadcast address of its prefix";
            }
        }
        return null;
    }

    public int netmask() {
        return Ipv4Address.mask(prefixLength);
    }

    /** True when {@code other} is on this address's network. */
    public boolean sameNetwork(int other) {
        return ((address.bits() ^ other) & netmask()) == 0;
    }

    @Override
    public String toString() {
        return address + "/" + prefixLength;
    }
}
