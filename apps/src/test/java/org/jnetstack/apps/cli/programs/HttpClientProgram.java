package org.jnetstack.apps.cli.programs;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An ordinary JDK program for {@code jns java}: {@code URL FILE} fetches URL with the JDK's
 * {@code HttpClient} and writes the body to FILE; exit status 0 for HTTP 200, else 10 + the
 * status's hundreds digit (14 for a 404).
 */
public final class HttpClientProgram {
    private HttpClientProgram() {
    }

    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<Path> r = client.send(HttpRequest.newBuilder(URI.create(args[0])).build(),
                HttpResponse.BodyHandlers.ofFile(Path.of(args[1])));
        if (r.statusCode() != 200) {
            Files.deleteIfExists(Path.of(args[1]));
            System.exit(10 + r.statusCode() / 100);
        }
    }
}
