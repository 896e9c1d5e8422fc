package org.jnetstack.apps.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHashTest {
    @Test
    void verifiesOnlyTheRightPasswordAndSaltsEachHash() {
        String a = PasswordHash.hash("s3cret-pass", 1000);
        String b = PasswordHash.hash("s3cret-pass", 1000);

        assertThat(a).startsWith("pbkdf2-sha256$1000$").isNotEqualTo(b);
        assertThat(PasswordHash.isWellFormed(a)).isTrue();
        assertThat(PasswordHash.verify("s3cret-pass", a)).isTrue();
        assertThat(PasswordHash.verify("s3cret-pass", b)).isTrue();
        assertThat(PasswordHash.verify("s3cret-pasS", a)).isFalse();
        assertThat(PasswordHash.verify("", a)).isFalse();
    }

    @Test
    void malformedStoredHashesNeverVerify() {
        assertThat(PasswordHash.verify("x", "pbkdf2-sha256$1000$!!$AAAA")).isFalse();
        assertThat(PasswordHash.verify("x", "plain")).isFalse();
        assertThat(PasswordHash.isWellFormed("pbkdf2-sha256$10$AAAAAAAAAAA$AAAA")).isFalse();
    }
}
