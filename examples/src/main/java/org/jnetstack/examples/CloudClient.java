package org.jnetstack.examples;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import javax.net.SocketFactory;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.jdk.StackSocketFactory;

/**
 * The seed's "cloud client": posts a status to a REST service as JSON with an OAuth 2 bearer
 * token (RFC 6750 §2.1) and reads the timeline back — OkHttp and Jackson, every byte over the
 * stack's own TCP through its {@link SocketFactory}.
 *
 * <pre>{@code
 * CloudClient cloud = new CloudClient(StackSocketFactory.of(stack), "http://10.0.0.1:8000", token);
 * cloud.post("hello from jnetstack");
 * for (CloudClient.Post p : cloud.timeline()) System.out.println(p.user() + ": " + p.text());
 * }</pre>
 */
public final class CloudClient {
    /** One entry of the timeline. */
    public record Post(long id, String user, String text) {
    }

    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final OkHttpClient http;
    private final String base;
    private final String token;

    public CloudClient(SocketFactory sockets, String baseUrl, String bearerToken) {
        this.http = new OkHttpClient.Builder().socketFactory(sockets).build();
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = bearerToken;
    }

    /** POST /statuses {"text": ...}; returns the post as the service stored it. */
    public Post post(String text) throws IOException {
        byte[] body = JSON.writeValueAsBytes(Map.of("text", text));
        Request r = authorized(base + "/statuses").post(RequestBody.create(body, JSON_TYPE)).build();
        try (Response res = http.newCall(r).execute()) {
            return JSON.readValue(checked(res).body().bytes(), Post.class);
        }
    }

    /** GET /timeline: the posts, newest first. */
    public List<Post> timeline() throws IOException {
        try (Response res = http.newCall(authorized(base + "/timeline").get().build()).execute()) {
            return JSON.readValue(checked(res).body().bytes(), new TypeReference<List<Post>>() { });
        }
    }

    private Request.Builder authorized(String url) {
        return new Request.Builder().url(url).header("Authorization", "Bearer " + token).header("Accept", "application/json");
    }

    private static Response checked(Response res) throws IOException {
        if (!res.isSuccessful()) {
            throw new IOException("the service answered " + res.code() + " " + res.message()
                    + (res.code() == 401 ? " (is the token right?)" : ""));
        }
        return res;
    }

    /** Releases pooled connections and threads. */
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /**
     * {@code CloudClient TAP ADDR/PREFIX BASE_URL TEXT}, the token in {@code CLOUD_TOKEN}: brings a
     * stack up on the TAP, posts TEXT, prints the timeline.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 4 || System.getenv("CLOUD_TOKEN") == null) {
            System.err.println("usage: CLOUD_TOKEN=... CloudClient TAP ADDR/PREFIX BASE_URL TEXT");
            System.exit(2);
        }
        EventLoop loop = EventLoop.system();
        try (TapDevice tap = TapDevice.open(args[0])) {
            NetStack stack = NetStack.builder(loop).device(tap).address(args[1]).name("cloud").build();
            loop.start("cloud");
            CloudClient cloud = new CloudClient(StackSocketFactory.of(stack), args[2], System.getenv("CLOUD_TOKEN"));
            try {
                Post p = cloud.post(args[3]);
                System.out.println("posted #" + p.id());
                for (Post t : cloud.timeline()) {
                    System.out.println("#" + t.id() + " " + t.user() + ": " + t.text());
                }
            } finally {
                cloud.close();
                stack.endConnections(java.time.Duration.ofSeconds(2)); // FINs out before the loop stops
                loop.close();
            }
        }
    }
}
