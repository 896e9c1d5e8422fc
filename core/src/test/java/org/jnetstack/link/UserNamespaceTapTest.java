package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which user namespace owns a network namespace given by path, and when the gateway must enter it. */
class UserNamespaceTapTest {

    @Test
    void aProcesssNetworkNamespaceIsOwnedByThatProcesssUserNamespace() {
        assertThat(UserNamespaceTap.userNamespaceOf(Path.of("/proc/4242/ns/net"))).isEqualTo(Path.of("/proc/4242/ns/user"));
        assertThat(UserNamespaceTap.userNamespaceOf(Path.of("/proc/4242/ns/../ns/net"))).isEqualTo(Path.of("/proc/4242/ns/user"));
        assertThat(UserNamespaceTap.userNamespaceOf(Path.of("/run/netns/box"))).as("a bind mount names no process").isNull();
        assertThat(UserNamespaceTap.userNamespaceOf(Path.of("/proc/self/ns/net"))).as("not a process id").isNull();
        assertThat(UserNamespaceTap.userNamespaceOf(Path.of("/proc/4242/ns/user"))).isNull();
    }

    @Test
    void ourOwnUserNamespaceIsNeverEnteredAndAMissingOneIsNotNeeded() {
        assertThat(UserNamespaceTap.needed(Path.of("/proc/self/ns/user"))).isFalse();
        assertThat(UserNamespaceTap.needed(Path.of("/proc/999999999/ns/user"))).isFalse();
    }

    @Test
    void aBadTapNameIsRefusedBeforeAnyHelperStarts() {
        assertThatThrownBy(() -> UserNamespaceTap.open(Path.of("/proc/1/ns/user"), Path.of("/proc/1/ns/net"), "a/b", null, 1500))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no '/'");
    }
}
