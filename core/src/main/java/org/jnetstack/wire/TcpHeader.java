package org.jnetstack.wire;

/**
 * What {@link TcpSegment#write} writes into a TCP header (RFC 9293 §3.1): ports, sequence and
 * acknowledgment numbers, control bits, window, urgent pointer and options. The checksum and the
 * data offset are computed by the writer. A reusable holder — the sender keeps one and sets it
 * for each segment — so building a segment allocates nothing; its setters return it for chaining.
 */
public final class TcpHeader {
    private int sourcePort;
    private int destinationPort;
    private int sequenceNumber;
    private int acknowledgmentNumber;
    private int flags;
    private int window;
    private int urgentPointer;
    private TcpOptions options;

    public TcpHeader ports(int source, int destination) {
        this.sourcePort = source;
        this.destinationPort = destination;
        return this;
    }

    public TcpHeader sequenceNumber(int seq) {
        this.sequenceNumber = seq;
        return this;
    }

    public TcpHeader acknowledgmentNumber(int ack) {
        this.acknowledgmentNumber = ack;
        return this;
    }

    /** The control bits ({@link TcpSegment#ACK}, {@link TcpSegment#SYN}, ...). */
    public TcpHeader flags(int flags) {
        this.flags = flags;
        return this;
    }

    /** The window field as sent (already scaled down). */
    public TcpHeader window(int window) {
        this.window = window;
        return this;
    }

    public TcpHeader urgentPointer(int urgentPointer) {
        this.urgentPointer = urgentPointer;
        return this;
    }

    /** The options to write (null: none); read when the header is written. */
    public TcpHeader options(TcpOptions options) {
        this.options = options;
        return this;
    }

    /** Sequence number, acknowledgment number, control bits and window at once: what changes per segment. */
    public TcpHeader segment(int seq, int ack, int flags, int window) {
        this.sequenceNumber = seq;
        this.acknowledgmentNumber = ack;
        this.flags = flags;
        this.window = window;
        return this;
    }

    public int sourcePort() {
        return sourcePort;
    }

    public int destinationPort() {
        return destinationPort;
    }

    public int sequenceNumber() {
        return sequenceNumber;
    }

    public int acknowledgmentNumber() {
        return acknowledgmentNumber;
    }

    public int flags() {
        return flags;
    }

    public int window() {
        return window;
    }

    public int urgentPointer() {
        return urgentPointer;
    }

    public TcpOptions options() {
        return options;
    }

    /** The header length {@link TcpSegment#writeHeader} produces: 20 bytes plus the options, 4-aligned. */
    public int length() {
        return TcpSegment.headerLength(options);
    }
}
