package org.jnetstack.apps.cli;

import java.nio.file.Path;
import java.util.List;
import org.jnetstack.apps.appliance.ApplianceService;
import org.jnetstack.apps.tftp.TftpApplianceService;
import org.jnetstack.apps.tftp.TftpOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The TFTP server's options of {@code jns run} (a picocli mixin), turned into {@link TftpOptions}. */
final class TftpServiceOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

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

    boolean enabled() {
        return root != null;
    }

    /** The validated options, or a usage error (exit status 2) naming the problem; null when TFTP is off. */
    TftpOptions toOptions() {
        if (root == null) {
            if (write || maxWrite != null || port != null) {
                throw new ParameterException(command.commandLine(), "--tftp-write, --tftp-max-write and --tftp-port need --tftp-root DIR");
            }
            return null;
        }
        try {
            TftpOptions.Builder b = TftpOptions.builder(root).writable(write);
            if (maxWrite != null) {
                b.maxWriteBytes(maxWrite);
            }
            if (port != null) {
                b.port(port);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), "Invalid value for option '--tftp-root': " + e.getMessage());
        }
    }

    /** Adds the TFTP service to the appliance's list when {@code --tftp-root} is given (after checking the options). */
    void addTo(List<ApplianceService> services) {
        TftpOptions o = toOptions();
        if (o != null) {
            services.add(TftpApplianceService.fixed(o));
        }
    }
}
