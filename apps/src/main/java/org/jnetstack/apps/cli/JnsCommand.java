package org.jnetstack.apps.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code jns} command: only dispatches to its subcommands. */
@Command(name = "jns",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "jnetstack: a TCP/IP stack in pure Java that gives a program its own MAC and IPv4 address on a"
                + " Linux TAP interface.",
            ""
        },
        subcommands = {RunCommand.class, GatewayCommand.class, PingCommand.class, NcCommand.class, HttpCommand.class, DnsCommand.class, JavaCommand.class, picocli.CommandLine.HelpCommand.class},
        footer = {
            "",
            "The ./jns launcher also takes ./jns test (build and run every test) and ./jns build (build only).",
            "Run 'jns COMMAND --help' for the options of a command."
        })
final class JnsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command: expected one of run, ping, nc, help.");
    }
}
