package org.jnetstack.link;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The descriptors a {@link StreamDevice} starts with: a non-blocking listening socket (or none, for
 * a device that connects) inside an epoll set the loop waits on. Creation only; the device owns
 * and closes them.
 *
 * @param listenFd the listening socket, or -1 for a device that connects to its peer
 * @param epollFd  the epoll set ({@link StreamDevice#pollFd()})
 * @param port     the TCP port listened on, -1 for a Unix socket or none
 */
record StreamListener(int listenFd, int epollFd, int port) {
    private static final int BACKLOG = 4;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** An epoll set with nothing in it yet, for a device that connects. */
    static StreamListener none(String name) throws IOException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = tmp.allocate(TunCalls.CAPTURE_LAYOUT);
            int epfd = SocketCalls.epollCreate(state);
            if (epfd < 0) {
                throw new IOException("epoll_create1 for " + name + ": " + TunCalls.strerror(TunCalls.errno(state)));
            }
            return new StreamListener(-1, epfd, -1);
        }
    }

    /** Binds {@code addr} (a sockaddr of {@code family}), listens, and puts the socket in a new epoll set. */
    static StreamListener listen(int family, MemorySegment addr, String name) throws IOException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment state = tmp.allocate(TunCalls.CAPTURE_LAYOUT);
            int fd = SocketCalls.socket(state, family);
            if (fd < 0) {
                throw new IOException("cannot create a socket for " + name + ": " + TunCalls.strerror(TunCalls.errno(state)));
            }
            int epfd = -1;
            try {
                if (family == SocketCalls.AF_INET && SocketCalls.setReuseAddress(state, fd, tmp) < 0) {
                    throw new IOException("setsockopt(SO_REUSEADDR) for " + name + ": " + TunCalls.strerror(TunCalls.errno(state)));
                }
                if (SocketCalls.bind(state, fd, addr) < 0) {
                    int errno = TunCalls.errno(state);
                    throw new IOException("cannot bind " + name + ": " + TunCalls.strerror(errno)
                            + (errno == SocketCalls.EADDRINUSE ? " (another process listens there)" : ""));
                }
                if (SocketCalls.listen(state, fd, BACKLOG) < 0) {
                    throw new IOException("cannot listen on " + name + ": " + TunCalls.strerror(TunCalls.errno(state)));
                }
                epfd = SocketCalls.epollCreate(state);
                if (epfd < 0) {
                    throw new IOException("epoll_create1 for " + name + ": " + TunCalls.strerror(TunCalls.errno(state)));
                }
                MemorySegment ev = tmp.allocate(SocketCalls.EPOLL_EVENT_SIZE, 8);
                if (SocketCalls.epollCtl(state, epfd, SocketCalls.EPOLL_CTL_ADD, fd, ev, SocketCalls.EPOLLIN) < 0) {
                    throw new IOException("epoll_ctl for " + name + ": " + TunCalls.strerror(TunCalls.errno(state)));
                }
                int port = family == SocketCalls.AF_INET ? SocketCalls.localPort(state, fd, tmp) : -1;
                return new StreamListener(fd, epfd, port);
            } catch (IOException | RuntimeException e) {
                TunCalls.close(fd);
                if (epfd >= 0) {
                    TunCalls.close(epfd);
                }
                throw e;
            }
        }
    }

    /** A socket file nobody listens on any more is removed; anything else at {@code path} is an error. */
    static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException("cannot listen on " + path + ": it exists and is not a socket; choose another path");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new IOException("cannot listen on " + path + ": another process is listening there");
        } catch (java.net.ConnectException stale) {
            Files.deleteIfExists(path);
        }
    }
}
