package org.jnetstack.apps.serial;

/**
 * A model of the National Semiconductor 16550A UART as a PC guest sees it at I/O ports
 * base+0..7 (seed 001's hook, in Java): the host of an emulator calls {@link #read} and
 * {@link #write} for the guest's port accesses, and this class keeps the registers, the two
 * 16-byte FIFOs and the interrupt line. It depends on nothing but the JDK.
 *
 * <pre>
 *  offset  DLAB=0 read / write        DLAB=1
 *  0       RBR / THR                  DLL (divisor latch, low)
 *  1       IER                        DLM (divisor latch, high)
 *  2       IIR / FCR
 *  3       LCR (bit 7 is DLAB)
 *  4       MCR (DTR, RTS, OUT1, OUT2, LOOP)
 *  5       LSR (DR, OE, PE, FE, BI, THRE, TEMT, FIFO error)
 *  6       MSR (deltas in bits 0-3, CTS, DSR, RI, DCD in bits 4-7)
 *  7       SCR (scratch)
 * </pre>
 *
 * <p>The line side ({@link Host}) is instantaneous but can push back both ways: a byte the
 * guest writes leaves the transmit FIFO when {@link Host#transmit} accepts it (else it stays
 * there, THRE stays clear, and {@link #transmitReady()} retries); the host offers received
 * bytes with {@link #receive}, which refuses them while the receive FIFO is full — the host
 * keeps them, so nothing is lost or overrun (only loopback, like the chip, can overrun), and
 * {@link Host#receiveReady()} says when there is room again. Time is the host's: it calls
 * {@link #receiveIdle()} when no byte has arrived for four character times (the FIFO
 * "character timeout", IIR 0x0C; {@link #characterNanos()} gives the length of one).
 *
 * <p>The interrupt line is the chip's INTR output: raised while any enabled interrupt is
 * pending (PC boards gate it with OUT2; so does {@link #interruptGatedByOut2} when asked).
 * Methods are synchronized: the guest's CPU thread and the host's line thread may both call.
 */
public final class Uart16550 {
    public static final int FIFO_SIZE = 16;
    /** The PC's UART clock, 1.8432 MHz, divided by 16: divisor 1 is 115200 baud. */
    public static final int BASE_BAUD = 115_200;

    public static final int IER_RX_DATA = 0x01;
    public static final int IER_THRE = 0x02;
    public static final int IER_LINE_STATUS = 0x04;
    public static final int IER_MODEM_STATUS = 0x08;

    public static final int IIR_NO_INTERRUPT = 0x01;
    public static final int IIR_MODEM_STATUS = 0x00;
    public static final int IIR_THRE = 0x02;
    public static final int IIR_RX_DATA = 0x04;
    public static final int IIR_LINE_STATUS = 0x06;
    public static final int IIR_RX_TIMEOUT = 0x0C;
    public static final int IIR_FIFOS_ENABLED = 0xC0;

    public static final int FCR_ENABLE = 0x01;
    public static final int FCR_CLEAR_RX = 0x02;
    public static final int FCR_CLEAR_TX = 0x04;

    public static final int LCR_DLAB = 0x80;

    public static final int MCR_DTR = 0x01;
    public static final int MCR_RTS = 0x02;
    public static final int MCR_OUT1 = 0x04;
    public static final int MCR_OUT2 = 0x08;
    public static final int MCR_LOOP = 0x10;

    public static final int LSR_DATA_READY = 0x01;
    public static final int LSR_OVERRUN = 0x02;
    public static final int LSR_PARITY = 0x04;
    public static final int LSR_FRAMING = 0x08;
    public static final int LSR_BREAK = 0x10;
    public static final int LSR_THRE = 0x20;
    public static final int LSR_TEMT = 0x40;

    public static final int MSR_DCTS = 0x01;
    public static final int MSR_DDSR = 0x02;
    public static final int MSR_TERI = 0x04;
    public static final int MSR_DDCD = 0x08;
    public static final int MSR_CTS = 0x10;
    public static final int MSR_DSR = 0x20;
    public static final int MSR_RI = 0x40;
    public static final int MSR_DCD = 0x80;

    /** The line side of the UART. Called with the UART's lock held: do not block. */
    public interface Host {
        /** The guest transmitted {@code b}; return false if the line cannot take it now (retry with {@link #transmitReady()}). */
        boolean transmit(int b);

        /** The interrupt line changed: raised (true) or lowered. */
        void interrupt(boolean raised);

        /** The guest read from the receive FIFO, so {@link #receive} will take more. */
        default void receiveReady() {
        }
    }

    private final Host host;
    private boolean gateByOut2;
    private final byte[] rx = new byte[FIFO_SIZE];
    private int rxHead;
    private int rxCount;
    private final byte[] tx = new byte[FIFO_SIZE];
    private int txHead;
    private int txCount;
    private int ier;
    private int lcr = 0x03; // 8N1 after reset is what firmware leaves; the driver sets it anyway
    private int mcr;
    private int lsrErrors;
    private int msrDeltas;
    private int modemInputs = MSR_CTS | MSR_DSR | MSR_DCD; // a cable with the other end ready
    private int scr;
    private int divisor = 12; // 9600 baud
    private boolean fifoEnabled;
    private int triggerLevel = 1;
    private boolean threPending;
    private boolean timeoutPending;
    private boolean irq;
    private long transmitted;
    private long received;
    private long overruns;

    public Uart16550(Host host) {
        this.host = java.util.Objects.requireNonNull(host, "host");
    }

    /** Makes the interrupt line follow MCR.OUT2 as on PC boards (off by default, as in QEMU). */
    public synchronized Uart16550 interruptGatedByOut2(boolean gate) {
        this.gateByOut2 = gate;
        update();
        return this;
    }

    // ------------------------------------------------------------------ the guest's side

    /** A guest read of port base+{@code offset} (0-7); returns the byte read. */
    public synchronized int read(int offset) {
        int v = switch (checkOffset(offset)) {
            case 0 -> dlab() ? divisor & 0xFF : readRbr();
            case 1 -> dlab() ? (divisor >>> 8) & 0xFF : ier;
            case 2 -> readIir();
            case 3 -> lcr;
            case 4 -> mcr;
            case 5 -> readLsr();
            case 6 -> readMsr();
            default -> scr;
        };
        update();
        return v;
    }

    /** A guest write of {@code value} (its low 8 bits) to port base+{@code offset} (0-7). */
    public synchronized void write(int offset, int value) {
        int v = value & 0xFF;
        switch (checkOffset(offset)) {
            case 0 -> {
                if (dlab()) {
                    divisor = (divisor & 0xFF00) | v;
                } else {
                    writeThr(v);
                }
            }
            case 1 -> {
                if (dlab()) {
                    divisor = (divisor & 0x00FF) | (v << 8);
                } else {
                    int old = ier;
                    ier = v & 0x0F; // bits 4-7 are always 0 on a 16550A (Linux's XScale probe relies on it)
                    if ((ier & IER_THRE) != 0 && (old & IER_THRE) == 0 && txCount == 0) {
                        threPending = true; // enabling ETBEI with THR empty raises THRE at once
                    }
                }
            }
            case 2 -> writeFcr(v);
            case 3 -> lcr = v;
            case 4 -> writeMcr(v);
            default -> {
                if (offset == 7) {
                    scr = v;
                }
                // LSR and MSR writes are factory-test features: ignored
            }
        }
        update();
    }

    private static int checkOffset(int offset) {
        if (offset < 0 || offset > 7) {
            throw new IllegalArgumentException("UART register offset must be 0-7: " + offset);
        }
        return offset;
    }

    private boolean dlab() {
        return (lcr & LCR_DLAB) != 0;
    }

    private int rxCapacity() {
        return fifoEnabled ? FIFO_SIZE : 1;
    }

    private int readRbr() {
        timeoutPending = false;
        if (rxCount == 0) {
            return 0;
        }
        int b = rx[rxHead] & 0xFF;
        rxHead = (rxHead + 1) % FIFO_SIZE;
        rxCount--;
        host.receiveReady();
        return b;
    }

    private int readIir() {
        int id = pendingInterrupt();
        if (id == IIR_THRE) {
            threPending = false; // reading IIR while THRE is the reported source clears it
        }
        return id | (fifoEnabled ? IIR_FIFOS_ENABLED : 0);
    }

    private int readLsr() {
        int v = lsrErrors;
        if (rxCount > 0) {
            v |= LSR_DATA_READY;
        }
        if (txCount == 0) {
            v |= LSR_THRE | LSR_TEMT;
        }
        lsrErrors = 0; // OE, PE, FE, BI clear on read
        return v;
    }

    private int readMsr() {
        int v = modemLines() | msrDeltas;
        msrDeltas = 0;
        return v;
    }

    /** CTS, DSR, RI, DCD: from the host's inputs, or in loopback from RTS, DTR, OUT1, OUT2. */
    private int modemLines() {
        if ((mcr & MCR_LOOP) != 0) {
            int v = 0;
            v |= (mcr & MCR_RTS) != 0 ? MSR_CTS : 0;
            v |= (mcr & MCR_DTR) != 0 ? MSR_DSR : 0;
            v |= (mcr & MCR_OUT1) != 0 ? MSR_RI : 0;
            v |= (mcr & MCR_OUT2) != 0 ? MSR_DCD : 0;
            return v;
        }
        return modemInputs;
    }

    private void writeThr(int v) {
        threPending = false;
        if ((mcr & MCR_LOOP) != 0) {
            // Loopback: the transmitter feeds the receiver inside the chip; a full FIFO overruns.
            transmitted++;
            if (!pushRx(v)) {
                lsrErrors |= LSR_OVERRUN;
                overruns++;
            }
            if (txCount == 0) {
                threPending = true;
            }
            return;
        }
        if (txCount == FIFO_SIZE) {
            return; // a guest that ignores THRE loses the byte, as on the chip
        }
        tx[(txHead + txCount) % FIFO_SIZE] = (byte) v;
        txCount++;
        drainTx();
    }

    private void writeFcr(int v) {
        boolean enable = (v & FCR_ENABLE) != 0;
        if (enable != fifoEnabled) {
            rxHead = rxCount = 0; // changing the FIFO enable resets both FIFOs
            txHead = txCount = 0;
        }
        fifoEnabled = enable;
        if ((v & FCR_CLEAR_RX) != 0) {
            rxHead = rxCount = 0;
            timeoutPending = false;
        }
        if ((v & FCR_CLEAR_TX) != 0) {
            txHead = txCount = 0;
        }
        triggerLevel = switch (v >>> 6) {
            case 0 -> 1;
            case 1 -> 4;
            case 2 -> 8;
            default -> 14;
        };
    }

    private void writeMcr(int v) {
        int before = modemLines();
        mcr = v & 0x1F;
        noteModemChange(before, modemLines());
    }

    private void noteModemChange(int before, int after) {
        int changed = before ^ after;
        if ((changed & MSR_CTS) != 0) {
            msrDeltas |= MSR_DCTS;
        }
        if ((changed & MSR_DSR) != 0) {
            msrDeltas |= MSR_DDSR;
        }
        if ((before & MSR_RI) != 0 && (after & MSR_RI) == 0) {
            msrDeltas |= MSR_TERI; // trailing edge of RI only
        }
        if ((changed & MSR_DCD) != 0) {
            msrDeltas |= MSR_DDCD;
        }
    }

    // ------------------------------------------------------------------ interrupts

    /** The highest-priority pending, enabled interrupt (16550 datasheet table 4), or IIR_NO_INTERRUPT. */
    private int pendingInterrupt() {
        if ((ier & IER_LINE_STATUS) != 0 && (lsrErrors & (LSR_OVERRUN | LSR_PARITY | LSR_FRAMING | LSR_BREAK)) != 0) {
            return IIR_LINE_STATUS;
        }
        if ((ier & IER_RX_DATA) != 0 && rxCount >= (fifoEnabled ? triggerLevel : 1)) {
            return IIR_RX_DATA;
        }
        if ((ier & IER_RX_DATA) != 0 && timeoutPending && rxCount > 0) {
            return IIR_RX_TIMEOUT;
        }
        if ((ier & IER_THRE) != 0 && threPending) {
            return IIR_THRE;
        }
        if ((ier & IER_MODEM_STATUS) != 0 && msrDeltas != 0) {
            return IIR_MODEM_STATUS;
        }
        return IIR_NO_INTERRUPT;
    }

    private void update() {
        boolean raised = pendingInterrupt() != IIR_NO_INTERRUPT && (!gateByOut2 || (mcr & MCR_OUT2) != 0);
        if (raised != irq) {
            irq = raised;
            host.interrupt(raised);
        }
    }

    // ------------------------------------------------------------------ the line's side

    private boolean pushRx(int b) {
        if (rxCount >= rxCapacity()) {
            return false;
        }
        rx[(rxHead + rxCount) % FIFO_SIZE] = (byte) b;
        rxCount++;
        timeoutPending = false;
        return true;
    }

    /**
     * A byte from the line for the guest. Returns false, taking nothing, while the receive
     * FIFO is full (or in loopback, when the line is disconnected from the receiver): the
     * caller keeps the byte and offers it again after {@link Host#receiveReady()}.
     */
    public synchronized boolean receive(int b) {
        if ((mcr & MCR_LOOP) != 0 || !pushRx(b & 0xFF)) {
            return false;
        }
        received++;
        update();
        return true;
    }

    /** Room in the receive FIFO now. */
    public synchronized int receiveSpace() {
        return (mcr & MCR_LOOP) != 0 ? 0 : rxCapacity() - rxCount;
    }

    /** No byte arrived for four character times: raise the character-timeout interrupt if data waits. */
    public synchronized void receiveIdle() {
        if (fifoEnabled && rxCount > 0) {
            timeoutPending = true;
            update();
        }
    }

    /** The line can take bytes again: send what waits in the transmit FIFO. */
    public synchronized void transmitReady() {
        drainTx();
        update();
    }

    private void drainTx() {
        boolean sent = false;
        while (txCount > 0 && host.transmit(tx[txHead] & 0xFF)) {
            txHead = (txHead + 1) % FIFO_SIZE;
            txCount--;
            transmitted++;
            sent = true;
        }
        if (sent && txCount == 0) {
            threPending = true; // the transmitter emptied: THRE interrupt (if enabled)
        }
    }

    /** Sets the modem inputs (what the other end drives); a change sets MSR deltas and may interrupt. */
    public synchronized void setModemInputs(boolean cts, boolean dsr, boolean ri, boolean dcd) {
        int before = modemLines();
        modemInputs = (cts ? MSR_CTS : 0) | (dsr ? MSR_DSR : 0) | (ri ? MSR_RI : 0) | (dcd ? MSR_DCD : 0);
        if ((mcr & MCR_LOOP) == 0) {
            noteModemChange(before, modemLines());
        }
        update();
    }

    /** A break, framing or parity condition on the line (sets the LSR bit; line-status interrupt if enabled). */
    public synchronized void lineError(int lsrBits) {
        lsrErrors |= lsrBits & (LSR_PARITY | LSR_FRAMING | LSR_BREAK);
        update();
    }

    // ------------------------------------------------------------------ what a host may want to know

    public synchronized int divisor() {
        return divisor;
    }

    /** The baud rate the guest programmed (115200 / divisor); 0 while the divisor is 0. */
    public synchronized int baud() {
        return divisor == 0 ? 0 : BASE_BAUD / divisor;
    }

    /** One character's time on the line at the programmed rate and frame (start + data + parity + stop bits). */
    public synchronized long characterNanos() {
        int bits = 1 + 5 + (lcr & 0x03) + ((lcr & 0x08) != 0 ? 1 : 0) + ((lcr & 0x04) != 0 ? 2 : 1);
        int baud = Math.max(1, baud());
        return bits * 1_000_000_000L / baud;
    }

    public synchronized boolean interruptRaised() {
        return irq;
    }

    public synchronized int modemControl() {
        return mcr;
    }

    public synchronized long transmittedBytes() {
        return transmitted;
    }

    public synchronized long receivedBytes() {
        return received;
    }

    public synchronized long overruns() {
        return overruns;
    }
}
