package org.jnetstack.apps.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The TFTP server's options of {@code jns run} (a picocli mixin): overrides of the config file's {@code [tftp]}. */
final class TftpServiceOptions {
    @Option(names = "--tftp-root", paramLabel = "DIR",
            description = "Run the TFTP server (RFC 1350; blksize, tsize, timeout options) on UDP port 69, serving DIR."
                    + " No request reaches outside DIR ('..', absolute paths and symbolic links are refused).")
    Path root;

    @Option(names = "--tftp-write", description = "Let TFTP clients write files into --tftp-root (off by default: TFTP has no authentication).")
    boolean write;

    @Option(names = "--tftp-max-write", paramLabel = "SIZE", converter = Converters.ByteSizeConverter.class,
            description = "Largest file a TFTP write may create, in bytes or with K, M, G (default 64M).")
    Long maxWrite;

    @Option(names = "--tftp-port", paramLabel = "N", converter = Converters.PortConverter.class,
            description = "The TFTP request port (default 69).")
    Integer port;

    /**
     * The options as {@code [tftp]} keys (they override the config file, which may give the root
     * instead); the config reader validates the result like the file.
     */
    void putOverrides(Map<String, Object> o) {
        if (root != null) {
            o.put("tftp.enabled", true);
            o.put("tftp.root", root.toString());
        }
        if (write) {
            o.put("tftp.write", true);
        }
        if (maxWrite != null) {
            o.put("tftp.max_write", maxWrite);
        }
        if (port != null) {
            o.put("tftp.port", port);
        }
    }
}
