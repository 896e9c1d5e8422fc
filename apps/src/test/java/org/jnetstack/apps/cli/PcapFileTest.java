package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.VirtualWire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --pcap FILE}: owner-only, never through a symbolic link, never into another user's file. */
class PcapFileTest {
    private static final int PCAP_HEADER = 24;

    @TempDir
    Path dir;

    private static LinkDevice capture(Path file) throws IOException {
        return Middleware.wrap(new VirtualWire().a(), new StackLauncher.Link(null, null, null, null, null, file, false, null));
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aNewCaptureFileIsOwnerOnlyWhateverTheUmask() throws IOException {
        Path file = dir.resolve("new.pcap");

        capture(file).close();

        assertThat(file).isRegularFile();
        assertThat(Files.size(file)).as("a valid capture: the global header").isEqualTo(PCAP_HEADER);
        assertThat(mode(file)).isEqualTo("rw-------");
    }

    @Test
    void aSymbolicLinkIsRefusedAndItsTargetLeftAlone() throws IOException {
        Path target = Files.writeString(dir.resolve("victim"), "precious");
        Path link = Files.createSymbolicLink(dir.resolve("cap.pcap"), target);

        IOException e = catchThrowableOfType(IOException.class, () -> capture(link));

        assertThat(e).hasMessage("cannot create the capture file " + link + ": is a symbolic link, and a capture is never"
                + " written through one: give the path of a new file, or of a file of yours to replace");
        assertThat(target).hasContent("precious");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void aDanglingSymbolicLinkIsRefusedAndNothingIsCreatedWhereItPoints() throws IOException {
        Path target = dir.resolve("would-be-created");
        Path link = Files.createSymbolicLink(dir.resolve("cap.pcap"), target);

        assertThat(catchThrowableOfType(IOException.class, () -> capture(link))).hasMessageContaining("is a symbolic link");
        assertThat(target).doesNotExist();
    }

    @Test
    void anExistingFileOfOursIsTruncatedAndMadeOwnerOnly() throws IOException {
        Path file = Files.writeString(dir.resolve("old.pcap"), "x".repeat(1000));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        capture(file).close();

        assertThat(Files.size(file)).isEqualTo(PCAP_HEADER);
        assertThat(mode(file)).isEqualTo("rw-------");
    }

    @Test
    void anotherUsersFileIsRefused() throws IOException {
        assumeThat(System.getProperty("user.name")).as("only root can give a file to another user").isEqualTo("root");
        Path file = Files.writeString(dir.resolve("planted.pcap"), "theirs");
        UserPrincipal nobody = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(file, nobody);

        IOException e = catchThrowableOfType(IOException.class, () -> capture(file));

        assertThat(e).hasMessageContaining("belongs to nobody, not to root: remove it or give the path of a new file");
        assertThat(file).hasContent("theirs");
    }
}
