package org.jnetstack.apps.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TomlDocumentTest {
    private static final String SAMPLE = """
            # the appliance
            [interface]
            name = "jns0"   # the TAP
            mtu = 1_500

            [admin]
            port = 8080 # moved
            enabled = true
            paths = ["a", 'C:\\x', "q\\"uote"]
            """;

    @Test
    void readsTheSubsetWithTypes() {
        TomlDocument d = TomlDocument.parse(SAMPLE);

        assertThat(d.get("interface.name")).isEqualTo("jns0");
        assertThat(d.get("interface.mtu")).isEqualTo(1500L);
        assertThat(d.get("admin.enabled")).isEqualTo(true);
        assertThat(d.get("admin.paths")).isEqualTo(List.of("a", "C:\\x", "q\"uote"));
        assertThat(d.lineOf("admin.port")).isEqualTo(7);
        assertThat(d.tables()).containsExactly("interface", "admin");
    }

    @Test
    void renderingAnUnchangedDocumentGivesTheSameText() {
        assertThat(TomlDocument.parse(SAMPLE).render()).isEqualTo(SAMPLE);
    }

    @Test
    void setRewritesOnlyTheValueAndKeepsTheComment() {
        TomlDocument d = TomlDocument.parse(SAMPLE);

        d.set("admin.port", 9090);

        assertThat(d.render()).contains("port = 9090 # moved\n").contains("name = \"jns0\"   # the TAP\n");
        assertThat(TomlDocument.parse(d.render()).get("admin.port")).isEqualTo(9090L);
    }

    @Test
    void aNewKeyGoesAfterTheLastKeyOfItsTableAndANewTableAtTheEnd() {
        TomlDocument d = TomlDocument.parse(SAMPLE);

        d.set("interface.mac", "02:00:00:00:00:09");
        d.set("echo.enabled", true);

        String text = d.render();
        assertThat(text).contains("mtu = 1_500\nmac = \"02:00:00:00:00:09\"\n\n[admin]");
        assertThat(text).endsWith("\n[echo]\nenabled = true\n");
        TomlDocument again = TomlDocument.parse(text);
        assertThat(again.get("interface.mac")).isEqualTo("02:00:00:00:00:09");
        assertThat(again.get("admin.port")).isEqualTo(8080L);
        assertThat(again.get("echo.enabled")).isEqualTo(true);
        // positions stay right after inserts: a second edit lands on the right line
        d.set("admin.port", 1);
        assertThat(TomlDocument.parse(d.render()).get("admin.port")).isEqualTo(1L);
    }

    @Test
    void removeDropsTheLineAndKeepsLaterPositions() {
        TomlDocument d = TomlDocument.parse(SAMPLE);

        d.remove("interface.mtu");
        d.set("admin.enabled", false);

        TomlDocument again = TomlDocument.parse(d.render());
        assertThat(again.get("interface.mtu")).isNull();
        assertThat(again.get("admin.enabled")).isEqualTo(false);
        assertThat(again.get("admin.port")).isEqualTo(8080L);
    }

    @Test
    void stringsWithQuotesAndControlCharactersRoundTrip() {
        TomlDocument d = TomlDocument.empty();
        String nasty = "a\"b\\c\nd\te\u0001 # not a comment";

        d.set("t.k", nasty);

        assertThat(TomlDocument.parse(d.render()).get("t.k")).isEqualTo(nasty);
    }

    @Test
    void malformedLinesAreRejectedWithTheirLineNumber() {
        assertThatThrownBy(() -> TomlDocument.parse("[a]\nport = 80x\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("line 2").hasMessageContaining("'80x'");
        assertThatThrownBy(() -> TomlDocument.parse("name = \"open\n"))
                .hasMessageContaining("line 1").hasMessageContaining("not closed");
        assertThatThrownBy(() -> TomlDocument.parse("[a]\nx = 1\nx = 2\n"))
                .hasMessageContaining("line 3").hasMessageContaining("'a.x' is defined twice");
        assertThatThrownBy(() -> TomlDocument.parse("[a]\n[a]\n")).hasMessageContaining("[a] is defined twice");
        assertThatThrownBy(() -> TomlDocument.parse("a.b = 1\n")).hasMessageContaining("dotted keys");
        assertThatThrownBy(() -> TomlDocument.parse("x = 1 2\n")).hasMessageContaining("after the value");
        assertThatThrownBy(() -> TomlDocument.parse("x = \"\\q\"\n")).hasMessageContaining("unknown escape");
        assertThatThrownBy(() -> TomlDocument.parse("x = [1, 2\n")).hasMessageContaining("not closed with ]");
        assertThatThrownBy(() -> TomlDocument.parse("x =\n")).hasMessageContaining("value is missing");
        assertThatThrownBy(() -> TomlDocument.parse("x = " + "9".repeat(101) + "\n")).hasMessageContaining("more than 100 digits");
    }
}
