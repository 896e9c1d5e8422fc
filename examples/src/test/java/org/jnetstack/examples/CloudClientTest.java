package org.jnetstack.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.jdk.StackServerSocketFactory;
import org.jnetstack.socket.jdk.StackSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cloud client against a REST service on another stack that checks the bearer token. */
class CloudClientTest {
    private static final String TOKEN = "s3cr3t-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventLoop loop = EventLoop.system();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack client = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.2/24").seed(1).build();
    private final NetStack service = NetStack.builder(loop).name("service").device(wire.b()).address("10.0.0.1/24").seed(2).build();
    private final List<CloudClient.Post> posts = new ArrayList<>();
    private HttpServer server;

    private void startService() throws IOException {
        loop.start("cloud-test");
        HttpRequestHandler api = (req, res, ctx) -> {
            Header auth = req.getFirstHeader("Authorization");
            if (auth == null || !auth.getValue().equals("Bearer " + TOKEN)) {
                res.setCode(401);
                res.setHeader("WWW-Authenticate", "Bearer"); // RFC 6750 §3
                return;
            }
            Object body;
            if (req.getMethod().equals("POST") && req.getPath().equals("/statuses")) {
                Map<?, ?> in = JSON.readValue(req.getEntity().getContent(), Map.class);
                CloudClient.Post p = new CloudClient.Post(posts.size() + 1, "jns", (String) in.get("text"));
                posts.addFirst(p);
                body = p;
            } else if (req.getMethod().equals("GET") && req.getPath().equals("/timeline")) {
                body = posts;
            } else {
                res.setCode(404);
                return;
            }
            res.setEntity(new ByteArrayEntity(JSON.writeValueAsBytes(body), ContentType.APPLICATION_JSON));
        };
        server = ServerBootstrap.bootstrap().setServerSocketFactory(StackServerSocketFactory.of(service))
                .setLocalAddress(InetAddress.getByAddress(new byte[4])).setListenerPort(8000)
                .setRequestRouter((r, c) -> api).create();
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close(CloseMode.IMMEDIATE);
        }
        loop.close();
    }

    @Test
    void postsJsonWithTheTokenAndReadsTheTimelineBack() throws Exception {
        startService();
        CloudClient cloud = new CloudClient(StackSocketFactory.of(client), "http://10.0.0.1:8000/", TOKEN);
        try {
            assertThat(cloud.post("hello from jnetstack")).isEqualTo(new CloudClient.Post(1, "jns", "hello from jnetstack"));
            cloud.post("second, with \"quotes\" and ünïcode");

            assertThat(cloud.timeline()).extracting(CloudClient.Post::text)
                    .containsExactly("second, with \"quotes\" and ünïcode", "hello from jnetstack");
        } finally {
            cloud.close();
        }
    }

    @Test
    void aWrongTokenIsRefused() throws Exception {
        startService();
        CloudClient cloud = new CloudClient(StackSocketFactory.of(client), "http://10.0.0.1:8000", "wrong");
        try {
            assertThatThrownBy(() -> cloud.post("x")).isInstanceOf(IOException.class).hasMessageContaining("401");
            assertThat(posts).isEmpty();
        } finally {
            cloud.close();
        }
    }
}
