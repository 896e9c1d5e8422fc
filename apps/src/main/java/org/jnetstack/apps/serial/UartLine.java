package org.jnetstack.apps.serial;

import java.util.concurrent.locks.LockSupport;

/**
 * An emulated {@link Uart16550} as the bridge's line, both ways with backpressure: what the
 * guest transmits goes into a bounded buffer drained to the bridge by a thread of this class
 * (when the buffer is full the UART's THRE stays clear and the guest waits, as on a real
 * line with flow control); what clients type is offered to the UART's receive FIFO byte by
 * byte, the writer waiting while the FIFO is full until the guest reads. After each burst of
 * input the UART is told the line went idle (the FIFO character timeout, IIR 0x0C).
 *
 * <pre>{@code
 * UartLine line = new UartLine(irq -> cpu.setIrq(4, irq));
 * Uart16550 com1 = line.uart();          // the emulator's port handlers call com1.read/write(port - 0x3F8, ...)
 * SerialBridge.start(stack, line, SerialBridgeOptions.defaults());
 * }</pre>
 */
public final class UartLine implements SerialLine {
    /** Guest output buffered for the bridge before the guest is held back. */
    static final int TX_BUFFER = 64 * 1024;

    private final Uart16550 uart;
    private final java.util.function.Consumer<Boolean> interruptLine;
    private final byte[] txBuf = new byte[TX_BUFFER];
    private int txHead;
    private int txCount;
    private boolean txRefused;
    private final Object txLock = new Object();
    private volatile Thread writerThread;
    private volatile boolean closed;
    private Thread pump;

    /** @param interruptLine called with the UART's interrupt output whenever it changes */
    public UartLine(java.util.function.Consumer<Boolean> interruptLine) {
        this.interruptLine = interruptLine;
        this.uart = new Uart16550(new Uart16550.Host() {
            @Override
            public boolean transmit(int b) {
                return offerFromGuest(b);
            }

            @Override
            public void interrupt(boolean raised) {
                UartLine.this.interruptLine.accept(raised);
            }

            @Override
            public void receiveReady() {
                Thread w = writerThread;
                if (w != null) {
                    LockSupport.unpark(w); // lock-free: this runs with the UART's lock held
                }
            }
        });
    }

    public Uart16550 uart() {
        return uart;
    }

    @Override
    public String describe() {
        return "emulated 16550 UART";
    }

    /** With the UART's lock held: buffer one guest byte, or refuse it (THRE stays clear). */
    private boolean offerFromGuest(int b) {
        synchronized (txLock) {
            if (txCount == txBuf.length) {
                txRefused = true;
                return false;
            }
            txBuf[(txHead + txCount) % txBuf.length] = (byte) b;
            txCount++;
            txLock.notifyAll();
            return true;
        }
    }

    @Override
    public void start(Receiver receiver) {
        pump = Thread.ofPlatform().daemon().name("uart output").start(() -> {
            byte[] chunk = new byte[4096];
            while (!closed) {
                int n;
                boolean wake;
                synchronized (txLock) {
                    while (txCount == 0 && !closed) {
                        try {
                            txLock.wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    n = Math.min(txCount, chunk.length);
                    for (int i = 0; i < n; i++) {
                        chunk[i] = txBuf[(txHead + i) % txBuf.length];
                    }
                    txHead = (txHead + n) % txBuf.length;
                    txCount -= n;
                    wake = txRefused;
                    txRefused = false;
                }
                if (wake) {
                    uart.transmitReady(); // outside txLock: the UART's lock comes first everywhere
                }
                if (n > 0) {
                    receiver.bytes(chunk, 0, n);
                }
            }
            receiver.ended("closed");
        });
    }

    /** Client input to the guest: each byte waits for room in the receive FIFO. */
    @Override
    public void write(byte[] buf, int off, int len) {
        writerThread = Thread.currentThread();
        for (int i = off; i < off + len && !closed; i++) {
            while (!uart.receive(buf[i]) && !closed) {
                LockSupport.parkNanos(this, 10_000_000L); // receiveReady unparks us; the timeout covers a missed wake
            }
        }
        uart.receiveIdle();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (txLock) {
            txLock.notifyAll();
        }
        Thread w = writerThread;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }
}
