package org.jnetstack.apps.cli;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import org.jnetstack.socket.jdk.StackSocketImplFactory;
import org.jnetstack.socket.nio.StackInetAddressResolverProvider;
import org.jnetstack.socket.nio.StackSelectorProvider;
import org.jnetstack.usernet.ForwardRule;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The main class of the JVM that {@code jns java} starts for the program: brings the stack up from
 * the same options, makes it the JVM's network (the JVM-wide {@link StackSelectorProvider}, the
 * {@link StackInetAddressResolverProvider}, the {@code Socket}/{@code ServerSocket} implementation
 * factory), then calls the program's {@code main} on this thread. When the program is done (its
 * last non-daemon thread ended, or it called {@code System.exit}) a shutdown hook closes the
 * stack. An exception out of the program's {@code main} ends this one as the {@code java}
 * launcher would: its stack trace, exit status 1.
 */
public final class JavaMain {
    private JavaMain() {
    }

    public static void main(String[] args) throws Throwable {
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cl = new CommandLine(new JavaCommand());
        cl.setStopAtPositional(true);
        cl.setUnmatchedOptionsArePositionalParams(true);
        cl.setErr(err);
        JavaCommand command;
        List<ForwardRule> rules;
        try {
            cl.parseArgs(args);
            command = cl.getCommand();
            rules = command.validate(); // checked by jns already: only a mismatch between the two JVMs fails here
        } catch (ParameterException e) {
            err.println("jns: " + e.getMessage());
            System.exit(Main.USAGE);
            return;
        }
        if (!(SelectorProvider.provider() instanceof StackSelectorProvider)) {
            err.println("jns: this JVM was not started with -Djava.nio.channels.spi.SelectorProvider="
                    + StackSelectorProvider.GLOBAL_CLASS + ": run the program with 'jns java'");
            System.exit(Main.FAILURE);
        }
        StackLauncher launcher;
        try {
            StackOptions o = command.stackOptions;
            launcher = o.userNet() ? StackLauncher.startUserNet(o.link(), rules, "java", null, o.hostName())
                    : StackLauncher.start(o.link(), "java", null, o.hostName());
            if (!o.dns().isEmpty()) {
                launcher.useDnsServers(o.dns());
            }
        } catch (Exception e) {
            System.exit(Main.failure(e, err));
            return;
        }
        StackSelectorProvider.installGlobalStack(launcher.stack());
        // Load the JVM's resolver (ours, from the service entry) while it still answers as the host's: it hands
        // the built-in one to the user-mode gateway's DNS forwarder, which must not ask the stack it serves.
        InetAddress.getAllByName("localhost");
        StackInetAddressResolverProvider.install(launcher.resolver());
        StackSocketImplFactory.installJvmWide(launcher.stack(), launcher.resolver());
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::close, "jns-java-stop"));
        err.println("jns: " + command.programMainClass() + " on " + launcher.describe());

        Method main = mainMethod(command.programMainClass(), err);
        String[] programArgs = command.programArgs().toArray(String[]::new);
        try {
            main.invoke(null, (Object) programArgs);
        } catch (InvocationTargetException e) {
            throw e.getCause(); // printed by the JVM as an uncaught exception in "main"; exit status 1
        }
    }

    /** {@code public static void main(String[])} of {@code name}, loaded by the system class loader (the program's class path). */
    private static Method mainMethod(String name, PrintWriter err) {
        try {
            Class<?> c = Class.forName(name, false, ClassLoader.getSystemClassLoader());
            Method m = c.getMethod("main", String[].class);
            if (!Modifier.isStatic(m.getModifiers())) {
                err.println("jns: " + name + ".main(String[]) is not static: expected public static void main(String[] args)");
                System.exit(Main.FAILURE);
            }
            m.setAccessible(true); // a public main in a non-public class
            return m;
        } catch (ClassNotFoundException | LinkageError e) {
            err.println("jns: cannot load main class " + name + ": " + e);
            System.exit(Main.FAILURE);
        } catch (NoSuchMethodException e) {
            err.println("jns: " + name + " has no public static void main(String[] args)");
            System.exit(Main.FAILURE);
        }
        return null;
    }
}
