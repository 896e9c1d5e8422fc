package org.jnetstack.interop;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.nio.StackSelectorProvider;

/**
 * Started by {@link JettyOnStackTest} inside a namespace, in a JVM whose
 * {@code -Djava.nio.channels.spi.SelectorProvider} is ours: a stack on the TAP {@code args[0]}
 * with address {@code args[1]} (CIDR) becomes the JVM's network, and an unmodified Jetty 12
 * server answers on port 8000 with a handler that echoes the request body (and says who asked),
 * until the process is stopped.
 */
public final class JettyOnStackMain {
    public static void main(String[] args) throws Exception {
        EventLoop loop = EventLoop.system();
        NetStack stack = NetStack.builder(loop).device(TapDevice.open(args[0])).address(args[1]).name("jetty").build();
        loop.start("jetty-loop");
        StackSelectorProvider.installGlobalStack(stack);

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(8000);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body = Content.Source.asInputStream(request).readAllBytes();
                response.getHeaders().put("X-Client", Request.getRemoteAddr(request));
                response.getHeaders().put("X-Server", "Jetty on jnetstack");
                response.setStatus(200);
                response.write(true, ByteBuffer.wrap(body.length == 0 ? "hello\n".getBytes(StandardCharsets.US_ASCII) : body), callback);
                return true;
            }
        });
        server.start();
        System.out.println("jetty ready on " + connector.getLocalPort() + " channel " + connector.getTransport());
        server.join();
    }
}
