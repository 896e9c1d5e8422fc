package org.jnetstack.testing;

/** How a finished command went: exit status and what it printed. */
public record CommandResult(String command, int exitStatus, String stdout, String stderr) {
    public boolean ok() {
        return exitStatus == 0;
    }

    /** For assertion messages: the command and everything it printed. */
    public String describe() {
        return "$ " + command + "\n[exit " + exitStatus + "]\n" + stdout + (stderr.isEmpty() ? "" : "[stderr]\n" + stderr);
    }
}
