package org.jnetstack.interop;

/** How a finished command went: exit status and what it printed. */
record CommandResult(String command, int exitStatus, String stdout, String stderr) {
    boolean ok() {
        return exitStatus == 0;
    }

    /** For assertion messages: the command and everything it printed. */
    String describe() {
        return "$ " + command + "\n[exit " + exitStatus + "]\n" + stdout + (stderr.isEmpty() ? "" : "[stderr]\n" + stderr);
    }
}
