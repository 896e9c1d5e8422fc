package org.jnetstack.apps.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jnetstack.apps.appliance.ConfigException;
import org.jnetstack.apps.appliance.ConfigFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Posted numbers are taken exactly: a value beyond 64 bits is rejected by its range, never truncated into it. */
class FormValuesTest {
    private static final BigInteger TWO_64_PLUS_9 = BigInteger.TWO.pow(64).add(BigInteger.valueOf(9));

    @TempDir
    Path dir;

    @Test
    void wholeNumbersInEveryFormAreExact() {
        assertThat(FormValues.exactInteger(7)).isEqualTo(7L);
        assertThat(FormValues.exactInteger(8080.0)).isEqualTo(8080L);
        assertThat(FormValues.exactInteger(" +2007 ")).isEqualTo(2007L);
        assertThat(FormValues.exactInteger(TWO_64_PLUS_9)).isEqualTo(TWO_64_PLUS_9);
        assertThat(FormValues.exactInteger(TWO_64_PLUS_9.toString())).isEqualTo(TWO_64_PLUS_9);
        assertThat(FormValues.exactInteger(new BigDecimal(TWO_64_PLUS_9))).isEqualTo(TWO_64_PLUS_9);
        assertThat(FormValues.exactInteger(1e20)).isEqualTo(new BigInteger("100000000000000000000"));
        assertThat(FormValues.exactInteger(7.5)).isNull();
        assertThat(FormValues.exactInteger(Double.NaN)).isNull();
        assertThat(FormValues.exactInteger(Double.POSITIVE_INFINITY)).isNull();
        assertThat(FormValues.exactInteger("1".repeat(101))).isNull();
        assertThat(FormValues.exactInteger(new BigInteger("1".repeat(101)))).isNull();
    }

    @Test
    void aPortOfTwoToTheSixtyFourPlusNineIsRejectedWithTheFilesErrorNotWrappedToNine() throws Exception {
        Path p = Files.writeString(dir.resolve("jns.toml"), """
                [interface]
                name = "jns0"
                [addressing]
                address = "10.0.0.2/24"
                [echo]
                """);
        ConfigFile file = ConfigFile.load(p, Map.of());
        String before = Files.readString(p);
        for (Object posted : List.of(TWO_64_PLUS_9, TWO_64_PLUS_9.toString(), new BigDecimal(TWO_64_PLUS_9))) {
            Map<String, Object> edits = FormValues.toEdits(Map.of("echo.port", posted), List.of("echo.port"));
            assertThat(edits.get("echo.port")).isEqualTo(TWO_64_PLUS_9);

            ConfigException e = catchThrowableOfType(ConfigException.class, () -> file.change(edits));

            assertThat(e.problems()).containsExactly("[echo] port = 18446744073709551625 (line 6): expected a whole number 1-65535");
            assertThat(file.current().echo().port()).isEqualTo(7);
            assertThat(Files.readString(p)).isEqualTo(before);
        }
    }
}
