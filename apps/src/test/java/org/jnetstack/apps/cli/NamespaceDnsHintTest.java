package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The DNS hint {@code jns gateway --netns} prints: /etc/netns/NAME only where {@code ip netns exec
 * NAME} reads it (a named namespace served by root); otherwise a bind mount in a mount namespace
 * of the program's own, entered the way the gateway entered the namespace.
 */
class NamespaceDnsHintTest {

    @Test
    void aNamedNamespaceServedByRootGetsItsOwnEtcNetnsFile() {
        List<String> l = NamespaceDnsHint.lines("/run/netns/box", Path.of("/run/netns/box"), null, "10.0.2.3");
        assertThat(l.get(0)).contains("ip netns exec box").contains("/etc/netns/box/resolv.conf").contains("10.0.2.3");
        assertThat(l.get(1)).isEqualTo("  mkdir -p /etc/netns/box && echo 'nameserver 10.0.2.3' > /etc/netns/box/resolv.conf");
    }

    @Test
    void anUnprivilegedUsersNamespaceGetsABindMountInsideItsUserNamespace() {
        List<String> l = NamespaceDnsHint.lines("4242", Path.of("/proc/4242/ns/net"), Path.of("/proc/4242/ns/user"), "10.0.2.3");
        assertThat(String.join("\n", l)).doesNotContain("/etc/netns");
        assertThat(l.get(1)).isEqualTo("  nsenter --preserve-credentials -U -n -t 4242 unshare -m sh -c"
                + " 'f=$(mktemp) && echo nameserver 10.0.2.3 > $f && mount --bind $f /etc/resolv.conf && rm $f && exec sh'");
    }

    @Test
    void rootServingAProcessesNamespaceEntersOnlyItsNetworkNamespace() {
        List<String> pid = NamespaceDnsHint.lines("77", Path.of("/proc/77/ns/net"), null, "10.1.0.3");
        assertThat(pid.get(1)).startsWith("  nsenter -n -t 77 unshare -m sh -c").contains("nameserver 10.1.0.3");
        List<String> path = NamespaceDnsHint.lines("/proc/77/ns/net", Path.of("/proc/77/ns/net"), null, "10.0.2.3");
        assertThat(path.get(1)).startsWith("  nsenter --net=/proc/77/ns/net unshare -m sh -c");
        List<String> other = NamespaceDnsHint.lines("/tmp/ns", Path.of("/tmp/ns"), Path.of("/tmp/user"), "10.0.2.3");
        assertThat(other.get(1)).startsWith("  nsenter --preserve-credentials --user=/tmp/user --net=/tmp/ns unshare -m");
    }
}
