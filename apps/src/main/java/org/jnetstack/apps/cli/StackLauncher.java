package org.jnetstack.apps.cli;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.nio.file.Path;
import org.jnetstack.NetStack;
import org.jnetstack.apps.appliance.InterfaceAddress;
import org.jnetstack.link.PcapRing;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.usernet.ForwardRule;
import org.jnetstack.usernet.UserNet;
import org.jnetstack.usernet.UserNetConfig;

/**
 * The one path from {@link StackOptions} to a running {@link NetStack}, shared by every
 * command: open the device, wrap it in the middleware the options ask for (pcap, trace),
 * build the stack, start its event loop. {@link #close()} takes it all down in order, so a
 * pcap file is complete when it returns.
 */
public final class StackLauncher implements AutoCloseable {
    private final EventLoop loop;
    private final NetStack stack;
    private final LinkDevice device;
    private final TapDevice tap;
    private final UserNet userNet;
    private final Link options;
    private boolean closed;

    /**
     * How to attach a stack: the TAP interface, the address, and the middleware (a pcap file,
     * trace lines, an in-memory ring of the last frames for the admin page's download).
     */
    public record Link(String tap, InterfaceAddress ip, Ipv4Address gateway, MacAddress mac, Integer mtu,
            Path pcap, boolean trace, PcapRing ring, boolean offload) {
        /** With TAP offloads (checksum + TSO) when the kernel grants them. */
        public Link(String tap, InterfaceAddress ip, Ipv4Address gateway, MacAddress mac, Integer mtu,
                Path pcap, boolean trace, PcapRing ring) {
            this(tap, ip, gateway, mac, mtu, pcap, trace, ring, true);
        }
    }

    private StackLauncher(EventLoop loop, NetStack stack, LinkDevice device, TapDevice tap, UserNet userNet, Link options) {
        this.loop = loop;
        this.stack = stack;
        this.device = device;
        this.tap = tap;
        this.userNet = userNet;
        this.options = options;
    }

    /**
     * Brings a stack up on user-mode networking (no root, no TAP): a gateway on the same loop
     * gives it the host's network and forwards host ports to it. The stack's address and
     * gateway come from {@code o} when given, else from the gateway's plan (10.0.2.15/24 via 10.0.2.2).
     */
    public static StackLauncher startUserNet(Link o, List<ForwardRule> forwards, String name, Consumer<NetStack> setup) {
        EventLoop loop = EventLoop.system();
        UserNet net = null;
        LinkDevice device = null;
        try {
            UserNetConfig plan = UserNetConfig.defaults();
            if (o.mtu() != null) {
                plan = new UserNetConfig(plan.network(), plan.prefixLength(), plan.gateway(), plan.dns(), plan.guest(),
                        o.mtu(), plan.spliceBufferBytes(), plan.connectTimeout(), plan.udpIdleTimeout(), plan.maxUdpFlows(),
                        plan.hostLoopback(), plan.forwards());
            }
            if (o.ip() != null && !o.ip().address().equals(plan.guest())) {
                plan = plan.withNetwork(Ipv4Address.format(o.ip().address().bits() & Ipv4Address.mask(o.ip().prefixLength()))
                        + "/" + o.ip().prefixLength());
                plan = new UserNetConfig(plan.network(), plan.prefixLength(), plan.gateway(), plan.dns(), o.ip().address(),
                        plan.mtu(), plan.spliceBufferBytes(), plan.connectTimeout(), plan.udpIdleTimeout(), plan.maxUdpFlows(),
                        plan.hostLoopback(), plan.forwards());
            }
            net = UserNet.create(loop, plan.withForwards(forwards));
            device = Middleware.wrap(net.guestDevice(), o);
            NetStack stack = NetStack.builder(loop).device(device).mtu(plan.mtu())
                    .address(plan.guest(), plan.prefixLength()).gateway(plan.gateway()).name(name).build();
            if (setup != null) {
                setup.accept(stack);
            }
            loop.start("jns-" + name);
            return new StackLauncher(loop, stack, device, null, net, o);
        } catch (IOException e) {
            closeQuietly(net, loop, device);
            throw new java.io.UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            closeQuietly(net, loop, device);
            throw e;
        }
    }

    private static void closeQuietly(UserNet net, EventLoop loop, LinkDevice device) {
        if (net != null) {
            net.close();
        }
        loop.close();
        if (device != null) {
            device.close();
        }
    }

    /** The user-mode gateway, or null on a TAP. */
    public UserNet userNet() {
        return userNet;
    }

    /**
     * Brings a stack up from validated options. {@code setup} runs before the loop starts, on
     * this thread, which owns the stack until then: open services there.
     *
     * @throws IOException when the device cannot be opened (message says what to do)
     */
    public static StackLauncher start(StackOptions o, String name, Consumer<NetStack> setup) throws IOException {
        return start(o.link(), name, setup);
    }

    /** {@link #start(StackOptions, String, Consumer)} from a {@link Link} (the appliance's config). */
    public static StackLauncher start(Link o, String name, Consumer<NetStack> setup) throws IOException {
        TapDevice tap = TapDevice.open(o.tap(), o.mac(), o.mtu() != null ? o.mtu() : TapDevice.DEFAULT_MTU, o.offload());
        LinkDevice device = tap;
        EventLoop loop = null;
        try {
            device = Middleware.wrap(device, o);
            loop = EventLoop.system();
            NetStack.Builder b = NetStack.builder(loop)
                    .device(device)
                    .address(o.ip().address(), o.ip().prefixLength())
                    .name(name);
            if (o.gateway() != null) {
                b.gateway(o.gateway());
            }
            NetStack stack = b.build();
            if (setup != null) {
                setup.accept(stack);
            }
            loop.start("jns-" + name);
            return new StackLauncher(loop, stack, device, tap, null, o);
        } catch (IOException | RuntimeException | Error e) {
            if (loop != null) {
                loop.close();
            }
            device.close();
            tap.close();
            throw e;
        }
    }

    public NetStack stack() {
        return stack;
    }

    public EventLoop loop() {
        return loop;
    }

    /** The link as the status page shows it: {@code TAP jns0 (MAC 02:..., MTU 1500)}. */
    public String describeLink() {
        if (userNet != null) {
            return "user-mode network " + userNet.config().network() + "/" + userNet.config().prefixLength()
                    + " (MAC " + device.mac() + ", MTU " + device.mtu() + ")";
        }
        return "TAP " + tap.name() + " (MAC " + device.mac() + ", MTU " + device.mtu() + ", offloads " + tap.offloadStatus() + ")";
    }

    /**
     * {@code 10.0.0.2/24 on TAP jns0 (MAC 02:..., MTU 1500, offloads on (rx-checksum tx-checksum tso(65535)))},
     * plus the gateway if any; "offloads off (reason)" when --no-offload was given or the kernel refused.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (userNet != null) {
            UserNetConfig c = userNet.config();
            sb.append(c.guest()).append('/').append(c.prefixLength()).append(" on the user-mode network (gateway ")
                    .append(c.gateway()).append(" = the host, DNS ").append(c.dns()).append(')');
            if (options.pcap() != null) {
                sb.append(", capturing to ").append(options.pcap());
            }
            return sb.toString();
        }
        sb.append(options.ip()).append(" on TAP ").append(tap.name())
                .append(" (MAC ").append(device.mac()).append(", MTU ").append(device.mtu())
                .append(", offloads ").append(tap.offloadStatus()).append(')');
        if (options.gateway() != null) {
            sb.append(", gateway ").append(options.gateway());
        }
        if (options.pcap() != null) {
            sb.append(", capturing to ").append(options.pcap());
        }
        return sb.toString();
    }

    /**
     * Stops the loop, then closes the stack and its devices (which flushes and closes a pcap
     * file). Stopping the loop first means it is never left waiting on a closed descriptor.
     * Safe from any thread, including a shutdown hook; idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (userNet != null) {
                userNet.close(); // resets spliced connections while the loop still runs
            }
            loop.close(); // waits for the loop thread to stop, then closes the attached devices
        } finally {
            stack.close(); // "after the loop stopped" is allowed; devices close idempotently
            device.close();
        }
    }
}
