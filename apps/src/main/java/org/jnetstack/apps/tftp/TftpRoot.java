package org.jnetstack.apps.tftp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The directory a server serves, and the one place request names become paths. Nothing gets
 * out: a leading {@code /} means the root itself (as {@code tftpd -s} does, so PXE clients
 * asking for {@code /pxelinux.0} work), any {@code ..} component is refused outright, and
 * the real path (every symbolic link followed) must still be inside the root's real path.
 * Writes never follow a link at the final component. Called on I/O threads (it touches the disk).
 */
final class TftpRoot {
    private final Path root;

    TftpRoot(Path root) {
        try {
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the tftp root " + root, e);
        }
    }

    Path path() {
        return root;
    }

    /** The real path of an existing regular file to read. */
    Path forReading(String name) throws TftpFailure {
        Path candidate = lexical(name);
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            throw new TftpFailure(TftpPacket.ERR_FILE_NOT_FOUND, "File not found");
        } catch (IOException e) {
            throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Cannot access file");
        }
        if (!real.startsWith(root)) {
            throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Access violation: outside the served directory");
        }
        if (!Files.isRegularFile(real)) {
            throw new TftpFailure(TftpPacket.ERR_FILE_NOT_FOUND, "Not a regular file");
        }
        if (!Files.isReadable(real)) {
            throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Permission denied");
        }
        return real;
    }

    /**
     * Where a write of {@code name} lands: its directory must exist inside the root (real
     * path), and the name itself must not be a symbolic link or a directory.
     */
    Path forWriting(String name, boolean overwrite) throws TftpFailure {
        Path candidate = lexical(name);
        if (candidate.equals(root)) {
            throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Not a file name");
        }
        Path dir;
        try {
            dir = candidate.getParent().toRealPath();
        } catch (NoSuchFileException e) {
            throw new TftpFailure(TftpPacket.ERR_FILE_NOT_FOUND, "Directory not found");
        } catch (IOException e) {
            throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Cannot access directory");
        }
        if (!dir.startsWith(root)) {
            throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Access violation: outside the served directory");
        }
        Path target = dir.resolve(candidate.getFileName());
        if (Files.isSymbolicLink(target)) {
            throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Access violation: will not write through a symbolic link");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Not a regular file");
            }
            if (!overwrite) {
                throw new TftpFailure(TftpPacket.ERR_FILE_EXISTS, "File already exists");
            }
        }
        return target;
    }

    /** Refuses {@code ..} and odd names before any disk access; the result is under the root lexically. */
    private Path lexical(String name) throws TftpFailure {
        String rel = name;
        while (rel.startsWith("/")) {
            rel = rel.substring(1);
        }
        if (rel.isEmpty()) {
            throw new TftpFailure(TftpPacket.ERR_FILE_NOT_FOUND, "No file name");
        }
        for (String part : rel.split("/")) {
            if (part.equals("..")) {
                throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Access violation: '..' is not allowed");
            }
        }
        Path p;
        try {
            p = root.resolve(rel).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Invalid file name");
        }
        if (!p.startsWith(root)) {
            throw new TftpFailure(TftpPacket.ERR_ACCESS_VIOLATION, "Access violation: outside the served directory");
        }
        return p;
    }
}
