package org.jnetstack.apps.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** What a hostile or mistyped file cannot do: overflow the parser's stack, or wrap a number into range. */
class ConfigLimitsTest {
    private static final String BASE = """
            [interface]
            name = "jns0"
            [addressing]
            address = "10.0.0.2/24"
            """;

    @Test
    void aDeeplyNestedArrayIsAClearErrorNotAStackOverflow() {
        String deep = "[".repeat(200_000) + "]".repeat(200_000);

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> TomlDocument.parse(BASE + "[echo]\nx = " + deep + "\n"));

        assertThat(e).as("a ConfigException, not a StackOverflowError").isNotNull();
        assertThat(e.getMessage()).contains("line 6").contains("nested more than " + TomlLine.MAX_NESTING + " deep");
    }

    @Test
    void nestingUpToTheLimitIsAccepted() {
        String ok = "[".repeat(TomlLine.MAX_NESTING) + "1" + "]".repeat(TomlLine.MAX_NESTING);
        TomlDocument d = TomlDocument.parse("x = " + ok + "\n");
        Object v = d.get("x");
        for (int i = 0; i < TomlLine.MAX_NESTING; i++) {
            assertThat(v).isInstanceOf(java.util.List.class);
            v = ((java.util.List<?>) v).get(0);
        }
        assertThat(v).isEqualTo(1L);
        assertThat(catchThrowableOfType(ConfigException.class,
                () -> TomlDocument.parse("x = [" + ok + "]\n"))).hasMessageContaining("nested more than 32 deep");
    }

    @Test
    void aPortOfTwoToTheSixtyFourPlusNineIsRejectedNotWrappedToNine() {
        String huge = BigInteger.TWO.pow(64).add(BigInteger.valueOf(9)).toString(); // 18446744073709551625

        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigReader.read(TomlDocument.parse(BASE + "[echo]\nport = " + huge + "\n")));

        assertThat(e.problems()).containsExactly("[echo] port = " + huge + " (line 6): expected a whole number 1-65535");
    }

    @Test
    void numbersJustOutsideALongAreKeptExactlyAndRoundTrip() {
        TomlDocument d = TomlDocument.parse("a = 9223372036854775807\nb = 9223372036854775808\nc = -9223372036854775809\n");

        assertThat(d.get("a")).isEqualTo(Long.MAX_VALUE);
        assertThat(d.get("b")).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(d.get("c")).isEqualTo(new BigInteger("-9223372036854775809"));
        assertThat(d.copy().get("b")).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(catchThrowableOfType(ConfigException.class,
                () -> ConfigReader.read(TomlDocument.parse(BASE + "[capture]\nring = -18446744073709551617\n"))).problems())
                .containsExactly("[capture] ring = -18446744073709551617 (line 6): expected a whole number 1-1000000");
    }
}
