package org.jnetstack.link;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/** Opens a capture file for {@link PcapWriter#toFile}: owner-only, never through a symbolic link. */
final class CaptureFile {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private CaptureFile() {
    }

    static OutputStream open(Path file) throws IOException {
        BasicFileAttributes existing;
        try {
            existing = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException absent) {
            existing = null;
        }
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (existing == null) {
            // CREATE_NEW fails if anything, a symbolic link included, appears at the name meanwhile.
            FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                    : new FileAttribute<?>[0];
            try {
                return Channels.newOutputStream(Files.newByteChannel(file,
                        Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS), attrs));
            } catch (FileAlreadyExistsException raced) {
                throw new FileSystemException(file.toString(), null,
                        "something was created at this name while it was being opened; try again");
            }
        }
        if (existing.isSymbolicLink()) {
            throw new FileSystemException(file.toString(), null, "is a symbolic link, and a capture is never written"
                    + " through one: give the path of a new file, or of a file of yours to replace");
        }
        if (existing.isDirectory()) {
            throw new FileSystemException(file.toString(), null, "is a directory: give the path of a file");
        }
        if (posix) {
            UserPrincipal owner = Files.getOwner(file, LinkOption.NOFOLLOW_LINKS);
            UserPrincipal me = file.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
            if (!owner.equals(me)) {
                throw new FileSystemException(file.toString(), null, "belongs to " + owner.getName()
                        + ", not to " + me.getName() + ": remove it or give the path of a new file");
            }
        }
        // O_NOFOLLOW: if the name became a symbolic link since the check above, the open fails.
        Set<OpenOption> options = Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                LinkOption.NOFOLLOW_LINKS);
        OutputStream out = Channels.newOutputStream(Files.newByteChannel(file, options));
        if (posix && existing.isRegularFile()) {
            try {
                Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(OWNER_ONLY);
            } catch (IOException e) {
                out.close();
                throw e;
            }
        }
        return out;
    }
}
