package org.jnetstack.apps.cli;

import org.jnetstack.apps.appliance.InterfaceAddress;
import java.math.BigDecimal;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option-value converters. Each rejects bad input with a message that names the value, what
 * is wrong with it and the accepted form; picocli prefixes the option name and the command
 * exits with status 2.
 */
final class Converters {
    private Converters() {
    }

    static final class InterfaceAddressConverter implements ITypeConverter<InterfaceAddress> {
        @Override
        public InterfaceAddress convert(String value) {
            try {
                return InterfaceAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A static IPv6 address with its prefix length, "ADDR/PREFIX" (checked as StackConfig checks it). */
    static final class Ipv6InterfaceAddressConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                org.jnetstack.config.StackConfig.parseIpv6Address(value);
                return value;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A unicast IPv4 address (a gateway or a host to ping). */
    static final class Ipv4AddressConverter implements ITypeConverter<Ipv4Address> {
        @Override
        public Ipv4Address convert(String value) {
            if (value.chars().anyMatch(Character::isLetter)) {
                throw new TypeConversionException("'" + value + "' is not an IPv4 address (host names are not"
                        + " resolved yet): expected four decimal numbers 0-255 like 10.0.0.1");
            }
            int bits;
            try {
                bits = Ipv4Address.parseBits(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value
                        + "' is not an IPv4 address: expected four decimal numbers 0-255 like 10.0.0.1");
            }
            if (bits == 0 || Ipv4Address.isMulticast(bits) || (bits >>> 28) == 0xF) {
                throw new TypeConversionException("'" + value
                        + "' is not a unicast address: expected a host address like 10.0.0.1");
            }
            return new Ipv4Address(bits);
        }
    }

    /** A DNS server: an IPv4 or IPv6 address, optionally with a port ({@code [fd00::53]:5353}). */
    static final class DnsServerConverter implements ITypeConverter<org.jnetstack.dns.DnsServer> {
        @Override
        public org.jnetstack.dns.DnsServer convert(String value) {
            try {
                return org.jnetstack.dns.DnsServer.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** The stack's own MAC address: six hex bytes, unicast (the group bit must be clear). */
    static final class MacConverter implements ITypeConverter<MacAddress> {
        @Override
        public MacAddress convert(String value) {
            MacAddress mac;
            try {
                mac = MacAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value
                        + "' is not a MAC address: expected six hex bytes like 02:00:00:00:00:01");
            }
            // IEEE 802 §8.2: the least significant bit of the first byte marks a group address,
            // which no interface may use as its own source address.
            if (mac.isMulticast() || mac.bits() == 0) {
                throw new TypeConversionException("'" + value + "' is not a unicast MAC address (the first"
                        + " byte must be even and the address non-zero): expected e.g. 02:00:00:00:00:01");
            }
            return mac;
        }
    }

    /** Interface MTU: 68 (RFC 791: every host must take 68-byte datagrams) to 65535. */
    static final class MtuConverter implements ITypeConverter<Integer> {
        static final int MIN = 68;
        static final int MAX = 65535;

        @Override
        public Integer convert(String value) {
            Integer mtu = parseInt(value);
            if (mtu == null || mtu < MIN || mtu > MAX) {
                throw new TypeConversionException("'" + value + "' is not a valid MTU: expected a whole number of bytes "
                        + MIN + "-" + MAX + " (1500 for Ethernet)");
            }
            return mtu;
        }
    }

    /** A Linux interface name: 1-15 characters (IFNAMSIZ - 1), no '/', ':' or white space. */
    static final class InterfaceNameConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            boolean ok = !value.isEmpty() && value.length() <= 15 && !value.equals(".") && !value.equals("..")
                    && value.chars().allMatch(c -> c > ' ' && c < 127 && c != '/' && c != ':');
            if (!ok) {
                throw new TypeConversionException("'" + value + "' is not a valid interface name: expected 1-15"
                        + " characters without '/', ':' or spaces, like jns0");
            }
            return value;
        }
    }

    /** A count of at least one. */
    static final class CountConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            Integer n = parseInt(value);
            if (n == null || n < 1) {
                throw new TypeConversionException("'" + value + "' is not a valid count: expected a whole number of 1 or more");
            }
            return n;
        }
    }

    /** Ping payload size: 0 to 65507 (65535 minus the 20-byte IPv4 and 8-byte ICMP headers). */
    static final class PayloadSizeConverter implements ITypeConverter<Integer> {
        static final int MAX = 65535 - 20 - 8;

        @Override
        public Integer convert(String value) {
            Integer n = parseInt(value);
            if (n == null || n < 0 || n > MAX) {
                throw new TypeConversionException("'" + value + "' is not a valid packet size: expected a whole number of bytes 0-" + MAX);
            }
            return n;
        }
    }

    /** A duration in seconds, decimals allowed ({@code 0.2}), at least 1 ms; converted to nanoseconds. */
    static final class SecondsConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            BigDecimal seconds;
            try {
                seconds = new BigDecimal(value.trim());
            } catch (NumberFormatException e) {
                seconds = null;
            }
            if (seconds == null || seconds.compareTo(new BigDecimal("0.001")) < 0
                    || seconds.compareTo(new BigDecimal("86400")) > 0) {
                throw new TypeConversionException("'" + value + "' is not a valid time: expected seconds from 0.001 to 86400, like 1 or 0.2");
            }
            return seconds.movePointRight(9).longValue();
        }
    }

    /** A TCP/UDP port, 1-65535. */
    static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            Integer n = parseInt(value);
            if (n == null || n < 1 || n > 65535) {
                throw new TypeConversionException("'" + value + "' is not a valid port: expected a whole number 1-65535");
            }
            return n;
        }
    }

    /** Parses a plain decimal int, or returns null. */
    private static Integer parseInt(String value) {
        String v = value.trim();
        if (v.isEmpty() || v.length() > 10 || !v.chars().allMatch(Character::isDigit)) {
            return null;
        }
        long n = Long.parseLong(v);
        return n > Integer.MAX_VALUE ? null : (int) n;
    }

    /** A size in bytes, with an optional K, M or G suffix (powers of 1024): {@code 512K}, {@code 64M}. */
    static final class ByteSizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().toUpperCase(java.util.Locale.ROOT);
            long unit = 1;
            if (v.endsWith("K") || v.endsWith("M") || v.endsWith("G")) {
                unit = switch (v.charAt(v.length() - 1)) {
                    case 'K' -> 1024L;
                    case 'M' -> 1024L * 1024;
                    default -> 1024L * 1024 * 1024;
                };
                v = v.substring(0, v.length() - 1);
            }
            try {
                long n = Long.parseLong(v);
                if (n < 0 || n > Long.MAX_VALUE / unit) {
                    throw new NumberFormatException();
                }
                return n * unit;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a valid size: expected a whole number of bytes,"
                        + " optionally with K, M or G, like 65536 or 64M");
            }
        }
    }
}
