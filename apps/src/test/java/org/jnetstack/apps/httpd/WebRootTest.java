package org.jnetstack.apps.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebRootTest {
    @TempDir
    Path dir;
    Path site;
    WebRoot root;

    @BeforeEach
    void site() throws Exception {
        site = Files.createDirectory(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "home");
        Files.createDirectories(site.resolve("docs"));
        Files.writeString(site.resolve("docs/a b.txt"), "a b");
        Files.writeString(site.resolve("docs/index.html"), "docs");
        Files.createDirectories(site.resolve("empty"));
        Files.createDirectories(site.resolve(".git"));
        Files.writeString(site.resolve(".git/config"), "secret");
        Files.createDirectories(site.resolve(".well-known"));
        Files.writeString(site.resolve(".well-known/security.txt"), "contact");
        Files.writeString(dir.resolve("secret.txt"), "outside");
        Files.createSymbolicLink(site.resolve("out.txt"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(site.resolve("outdir"), dir);
        Files.createSymbolicLink(site.resolve("in.txt"), site.resolve("docs/a b.txt"));
        root = new WebRoot(site);
    }

    private Path file(String target) {
        WebRoot.Target t = root.resolve(target);
        assertThat(t).as(target).isInstanceOf(WebRoot.File.class);
        return ((WebRoot.File) t).path();
    }

    @Test
    void filesDirectoriesAndIndexes() throws Exception {
        assertThat(file("/")).isEqualTo(site.toRealPath().resolve("index.html"));
        assertThat(file("/docs/")).isEqualTo(site.toRealPath().resolve("docs/index.html"));
        assertThat(file("/docs/a%20b.txt?x=1#frag")).isEqualTo(site.toRealPath().resolve("docs/a b.txt"));
        assertThat(file("//docs/./a%20b.txt")).isEqualTo(site.toRealPath().resolve("docs/a b.txt"));
        assertThat(root.resolve("/docs")).isEqualTo(new WebRoot.Redirect("/docs/"));
        assertThat(root.resolve("/empty/")).isInstanceOf(WebRoot.NotFound.class);
        assertThat(root.resolve("/nothing")).isInstanceOf(WebRoot.NotFound.class);
        assertThat(file("/.well-known/security.txt")).isEqualTo(site.toRealPath().resolve(".well-known/security.txt"));
        assertThat(file("/in.txt")).as("a link that stays inside").isEqualTo(site.toRealPath().resolve("docs/a b.txt"));
    }

    @Test
    void nothingGetsOut() {
        assertThat(root.resolve("/../secret.txt")).isInstanceOf(WebRoot.BadRequest.class);
        assertThat(root.resolve("/docs/%2e%2e/%2e%2e/secret.txt")).isInstanceOf(WebRoot.BadRequest.class);
        assertThat(root.resolve("/docs/..%2f..%2fsecret.txt")).isInstanceOf(WebRoot.BadRequest.class);
        assertThat(root.resolve("/out.txt")).as("a link leading out").isInstanceOf(WebRoot.NotFound.class);
        assertThat(root.resolve("/outdir/secret.txt")).isInstanceOf(WebRoot.NotFound.class);
        assertThat(root.resolve("/.git/config")).isInstanceOf(WebRoot.NotFound.class);
        assertThat(root.resolve("/index.html%00.txt")).isInstanceOf(WebRoot.BadRequest.class);
        assertThat(root.resolve("/%zz")).isInstanceOf(WebRoot.BadRequest.class);
        assertThat(root.resolve("/%c3%28")).as("not UTF-8").isInstanceOf(WebRoot.BadRequest.class);
        assertThat(root.resolve("http://x/")).isInstanceOf(WebRoot.BadRequest.class);
    }

    @Test
    void aLinkToAHiddenNameIsNotFoundThoughTheUrlNamesNone() throws Exception {
        Files.writeString(site.resolve(".env"), "API_KEY=1");
        Files.createSymbolicLink(site.resolve("env.txt"), site.resolve(".env"));
        Files.createSymbolicLink(site.resolve("git.txt"), site.resolve(".git/config"));
        Files.createSymbolicLink(site.resolve("gitdir"), site.resolve(".git"));
        Files.createDirectories(site.resolve("dotindex"));
        Files.createSymbolicLink(site.resolve("dotindex/index.html"), site.resolve(".env"));
        Files.createSymbolicLink(site.resolve("wk.txt"), site.resolve(".well-known/security.txt"));

        assertThat(root.resolve("/env.txt")).as("a link to a dot-file").isInstanceOf(WebRoot.NotFound.class);
        assertThat(root.resolve("/git.txt")).as("a link into a dot-directory").isInstanceOf(WebRoot.NotFound.class);
        assertThat(root.resolve("/gitdir/config")).isInstanceOf(WebRoot.NotFound.class);
        assertThat(root.resolve("/dotindex/")).as("an index that is a link to a dot-file").isInstanceOf(WebRoot.NotFound.class);
        assertThat(file("/wk.txt")).as(".well-known stays served").isEqualTo(site.toRealPath().resolve(".well-known/security.txt"));
    }
}
