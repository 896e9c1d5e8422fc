package org.jnetstack.apps.cli;

/** Entry point of {@code ./jns}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("jnetstack: command line not yet built");
    }
}
