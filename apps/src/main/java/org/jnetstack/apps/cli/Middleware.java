package org.jnetstack.apps.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.PcapWriter;
import org.jnetstack.link.Tracer;

/** Wraps the device in what {@code --pcap} and {@code --trace} ask for, and the admin page's capture ring. */
final class Middleware {
    private Middleware() {
    }

    static LinkDevice wrap(LinkDevice device, StackLauncher.Link o) throws IOException {
        LinkDevice d = device;
        // The pcap writer sits right on the device, so the file holds exactly the frames on the wire.
        if (o.pcap() != null) {
            try {
                d = PcapWriter.toFile(o.pcap(), d);
            } catch (NoSuchFileException e) {
                throw new IOException("cannot create the capture file " + o.pcap() + ": its directory does not exist", e);
            } catch (AccessDeniedException e) {
                throw new IOException("cannot create the capture file " + o.pcap() + ": permission denied", e);
            } catch (FileSystemException e) {
                // the reason alone: a symbolic link, another user's file, ...
                throw new IOException("cannot create the capture file " + o.pcap() + ": "
                        + (e.getReason() != null ? e.getReason() : e.toString()), e);
            } catch (IOException e) {
                throw new IOException("cannot create the capture file " + o.pcap() + ": " + e, e);
            }
        }
        if (o.ring() != null) {
            d = PcapWriter.toRing(o.ring(), d);
        }
        // Trace lines go to stderr, so that a command's own output (ping's lines) stays clean on stdout.
        if (o.trace()) {
            d = Tracer.wrap(d, System.err::println);
        }
        return d;
    }
}
