package org.jnetstack.apps.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.apps.serial.Uart16550.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The UART driven the way Linux's 8250 driver (drivers/tty/serial/8250/8250_port.c) probes and uses it. */
class Uart16550Test {
    private static final int RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5,
            MSR = 6, SCR = 7;

    private final List<Integer> line = new ArrayList<>();
    private final List<Boolean> irqEdges = new ArrayList<>();
    private boolean lineAccepts = true;
    private int receiveReadyCalls;
    private final Uart16550 uart = new Uart16550(new Host() {
        @Override
        public boolean transmit(int b) {
            if (!lineAccepts) {
                return false;
            }
            line.add(b);
            return true;
        }

        @Override
        public void interrupt(boolean raised) {
            irqEdges.add(raised);
        }

        @Override
        public void receiveReady() {
            receiveReadyCalls++;
        }
    });

    @Test
    void passesTheDriversProbeIerScratchAndLoopbackTests() {
        // autoconfig(): IER must read back 0 after writing 0, and 0x0F after writing 0x0F.
        int saved = uart.read(IER);
        uart.write(IER, 0);
        int scratch2 = uart.read(IER) & 0x0F;
        uart.write(IER, 0x0F);
        int scratch3 = uart.read(IER) & 0x0F;
        uart.write(IER, saved);
        assertThat(scratch2).isZero();
        assertThat(scratch3).isEqualTo(0x0F);

        // The IER's top bits do not stick (the XScale UUE test must fail on a 16550A).
        uart.write(IER, 0x40);
        assertThat(uart.read(IER) & 0x40).isZero();
        uart.write(IER, 0);

        // The scratch register holds what was written (16450 and later).
        uart.write(SCR, 0xA5);
        assertThat(uart.read(SCR)).isEqualTo(0xA5);
        uart.write(SCR, 0x5A);
        assertThat(uart.read(SCR)).isEqualTo(0x5A);

        // Loopback: MCR = LOOP | 0x0A (RTS, OUT2) must show CTS and DCD in MSR (0x90).
        uart.write(MCR, MCR_LOOP | 0x0A);
        assertThat(uart.read(MSR) & 0xF0).isEqualTo(0x90);
        uart.write(MCR, 0);
    }

    @Test
    void fifoDetectionSaysSixteen550A() {
        uart.write(FCR, FCR_ENABLE);
        assertThat(uart.read(IIR) >> 6).as("both FIFO bits: a 16550A").isEqualTo(3);
        uart.write(FCR, FCR_ENABLE | 0x20); // UART_FCR7_64BYTE: a 16750 would show bit 5
        assertThat(uart.read(IIR) >> 5).as("not a 16750").isEqualTo(6);
        uart.write(FCR, 0);
        assertThat(uart.read(IIR) >> 6).as("FIFOs off").isZero();
        assertThat(uart.read(IIR) & 0x0F).isEqualTo(IIR_NO_INTERRUPT);
    }

    @Test
    void sizeFifoInLoopbackCountsSixteen() {
        // size_fifo(): loopback, FIFOs on and cleared, 115200 8N1, write 256 bytes, count what arrives.
        uart.write(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
        uart.write(MCR, MCR_LOOP);
        uart.write(LCR, LCR_DLAB);
        uart.write(DLL, 1);
        uart.write(DLM, 0);
        uart.write(LCR, 0x03);
        for (int i = 0; i < 256; i++) {
            uart.write(THR, i);
        }
        int count = 0;
        while ((uart.read(LSR) & LSR_DATA_READY) != 0 && count < 256) {
            assertThat(uart.read(RBR)).isEqualTo(count);
            count++;
        }
        assertThat(count).isEqualTo(FIFO_SIZE);
        assertThat(line).as("loopback never reaches the line").isEmpty();
        assertThat(uart.overruns()).isEqualTo(256 - FIFO_SIZE);
    }

    @Test
    void theDivisorLatchSetsTheBaudRateAndHidesRbrAndIer() {
        uart.write(IER, 0x05);
        uart.write(LCR, LCR_DLAB | 0x03);
        uart.write(DLL, 0x0C);
        uart.write(DLM, 0x00);
        assertThat(uart.read(DLL)).isEqualTo(0x0C);
        assertThat(uart.read(DLM)).isZero();
        uart.write(LCR, 0x03);
        assertThat(uart.baud()).isEqualTo(9600);
        assertThat(uart.read(IER)).as("IER untouched by divisor writes").isEqualTo(0x05);
        assertThat(uart.characterNanos()).as("10 bits at 9600 baud").isEqualTo(10 * 1_000_000_000L / 9600);

        uart.write(LCR, LCR_DLAB);
        uart.write(DLL, 1);
        uart.write(LCR, 0x03);
        assertThat(uart.baud()).isEqualTo(115_200);
        uart.write(THR, 'x');
        assertThat(line).as("with DLAB clear, offset 0 is THR again").containsExactly((int) 'x');
    }

    @Test
    void enablingThreInterruptsAtOnceAndReadingIirClearsIt() {
        uart.write(FCR, FCR_ENABLE);
        uart.write(IER, IER_THRE);
        assertThat(uart.interruptRaised()).isTrue();
        assertThat(uart.read(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_THRE);
        assertThat(uart.interruptRaised()).as("reading IIR cleared THRE").isFalse();
        assertThat(uart.read(IIR) & 0x0F).isEqualTo(IIR_NO_INTERRUPT);

        // Writing a byte: it leaves at once, the transmitter is empty again -> THRE interrupt.
        uart.write(THR, 'A');
        assertThat(line).containsExactly((int) 'A');
        assertThat(uart.read(LSR) & (LSR_THRE | LSR_TEMT)).isEqualTo(LSR_THRE | LSR_TEMT);
        assertThat(uart.read(IIR) & 0x0F).isEqualTo(IIR_THRE);
        assertThat(irqEdges).containsExactly(true, false, true, false);
    }

    @Test
    void aLineThatPushesBackHoldsBytesInTheTransmitFifo() {
        uart.write(FCR, FCR_ENABLE);
        lineAccepts = false;
        for (byte b : "hello".getBytes()) {
            uart.write(THR, b);
        }
        assertThat(uart.read(LSR) & LSR_THRE).as("THR not empty while the line refuses").isZero();
        uart.write(IER, IER_THRE);
        assertThat(uart.interruptRaised()).as("no THRE interrupt with bytes waiting").isFalse();

        lineAccepts = true;
        uart.transmitReady();
        assertThat(line).containsExactly((int) 'h', (int) 'e', (int) 'l', (int) 'l', (int) 'o');
        assertThat(uart.read(LSR) & LSR_THRE).isEqualTo(LSR_THRE);
        assertThat(uart.read(IIR) & 0x0F).isEqualTo(IIR_THRE);
    }

    @Test
    void receivedDataInterruptsAtTheTriggerLevelOrOnTimeout() {
        uart.write(FCR, FCR_ENABLE | 0x80); // trigger level 8
        uart.write(IER, IER_RX_DATA);
        for (int i = 0; i < 7; i++) {
            assertThat(uart.receive('a' + i)).isTrue();
        }
        assertThat(uart.interruptRaised()).as("7 bytes < trigger 8").isFalse();
        assertThat(uart.read(LSR) & LSR_DATA_READY).isEqualTo(LSR_DATA_READY);

        uart.receiveIdle(); // four character times passed with no new byte
        assertThat(uart.read(IIR) & 0x0F).isEqualTo(IIR_RX_TIMEOUT);
        assertThat(uart.read(RBR)).isEqualTo('a');
        assertThat(uart.interruptRaised()).as("reading RBR clears the timeout").isFalse();

        uart.receive('h');
        uart.receive('i');
        assertThat(uart.read(IIR) & 0x0F).as("8 bytes: trigger reached").isEqualTo(IIR_RX_DATA);
        StringBuilder got = new StringBuilder();
        while ((uart.read(LSR) & LSR_DATA_READY) != 0) {
            got.append((char) uart.read(RBR));
        }
        assertThat(got).hasToString("bcdefghi");
        assertThat(uart.interruptRaised()).isFalse();
    }

    @Test
    void aFullReceiveFifoRefusesBytesUntilTheGuestReads() {
        uart.write(FCR, FCR_ENABLE);
        int taken = 0;
        while (uart.receive(taken)) {
            taken++;
        }
        assertThat(taken).isEqualTo(FIFO_SIZE);
        assertThat(uart.receiveSpace()).isZero();
        assertThat(uart.read(LSR) & LSR_OVERRUN).as("refused, not overrun").isZero();

        assertThat(uart.read(RBR)).isZero();
        assertThat(receiveReadyCalls).isEqualTo(1);
        assertThat(uart.receive(99)).isTrue();

        uart.write(FCR, 0);
        uart.write(FCR, 0); // without FIFOs the "FIFO" holds one byte
        assertThat(uart.receive(1)).isTrue();
        assertThat(uart.receive(2)).isFalse();
    }

    @Test
    void lineAndModemStatusInterruptsInPriorityOrder() {
        uart.write(IER, IER_LINE_STATUS | IER_MODEM_STATUS | IER_RX_DATA);
        uart.setModemInputs(false, true, false, true); // CTS dropped
        assertThat(uart.read(IIR) & 0x0F).isEqualTo(IIR_MODEM_STATUS);
        uart.lineError(LSR_BREAK);
        assertThat(uart.read(IIR) & 0x0F).as("line status outranks modem status").isEqualTo(IIR_LINE_STATUS);
        assertThat(uart.read(LSR) & LSR_BREAK).isEqualTo(LSR_BREAK);
        assertThat(uart.read(LSR) & LSR_BREAK).as("cleared by reading LSR").isZero();
        assertThat(uart.read(IIR) & 0x0F).isEqualTo(IIR_MODEM_STATUS);
        assertThat(uart.read(MSR)).isEqualTo(MSR_DSR | MSR_DCD | MSR_DCTS);
        assertThat(uart.read(MSR)).as("deltas cleared by reading MSR").isEqualTo(MSR_DSR | MSR_DCD);
        assertThat(uart.interruptRaised()).isFalse();
    }

    @Test
    void out2GatesTheInterruptLineWhenAsked() {
        uart.interruptGatedByOut2(true);
        uart.write(IER, IER_THRE);
        assertThat(uart.interruptRaised()).isFalse();
        uart.write(MCR, MCR_OUT2);
        assertThat(uart.interruptRaised()).isTrue();
    }
}
