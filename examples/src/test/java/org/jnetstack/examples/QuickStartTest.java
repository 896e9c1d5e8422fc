package org.jnetstack.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's first example runs, and the README shows it as it is in {@link QuickStart}. */
class QuickStartTest {
    @Test
    void fetchesAPageFromTheHostThroughTheUserModeNetwork() throws IOException {
        HttpServer host = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        host.createContext("/", exchange -> {
            byte[] body = "hello from the host\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        host.start();
        try {
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            QuickStart.fetch(host.getAddress().getPort(), response);
            String text = response.toString(StandardCharsets.US_ASCII);
            assertThat(text).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nhello from the host\n");
        } finally {
            host.stop(0);
        }
    }

    @Test
    void theReadmeShowsTheExampleAsItIsCompiled() throws IOException {
        List<String> source = Files.readAllLines(Path.of("src/main/java/org/jnetstack/examples/QuickStart.java"));
        List<String> example = source.subList(source.indexOf("    // README begin") + 1, source.indexOf("    // README end"))
                .stream().filter(l -> !l.isBlank()).map(l -> l.substring(4)).toList();
        assertThat(example).hasSizeBetween(15, 25);
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).as("README.md holds the example of QuickStart.java line for line")
                .contains("```java\n" + String.join("\n", example) + "\n```");
        assertThat(readme.indexOf("```java")).as("it is the README's first Java example")
                .isEqualTo(readme.indexOf("```java\n" + example.get(0)));
    }
}
