package org.jnetstack.apps.cli.programs;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An ordinary {@code java.net} program for {@code jns java}: {@code URL FILE} fetches URL with
 * {@code HttpURLConnection} (a plain {@code java.net.Socket} underneath) and writes the body to FILE.
 */
public final class UrlConnectionProgram {
    private UrlConnectionProgram() {
    }

    public static void main(String[] args) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create(args[0]).toURL().openConnection();
        try (InputStream in = c.getInputStream()) {
            Files.copy(in, Path.of(args[1]));
        }
    }
}
