package org.jnetstack.apps.httpd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The directory {@code --www} serves, and the one place a request path becomes a file. Nothing
 * gets out: the path is percent-decoded strictly (bad escapes, NUL and non-UTF-8 are refused),
 * any {@code ..} segment is refused before the disk is touched, and the real path (every symbolic
 * link followed) must still lie inside the root's real path — a link to a file inside is served,
 * one that leads out is not found. Names starting with a dot ({@code .git}, {@code .env}) are not
 * served, except {@code .well-known} (RFC 8615): neither as the request names them nor where a
 * symbolic link leads (a link {@code notes.txt -> .env} is not found either). A directory is served by its {@code index.html};
 * asked for without its final slash, it is a redirect to the slashed name, so the page's relative
 * links resolve inside it.
 */
final class WebRoot {
    static final String INDEX = "index.html";

    /** What a request path leads to. */
    sealed interface Target {
    }

    /** A readable regular file inside the root. */
    record File(Path path, BasicFileAttributes attributes) implements Target {
    }

    /** A directory asked for without its trailing slash: redirect to {@code location}. */
    record Redirect(String location) implements Target {
    }

    record NotFound(String why) implements Target {
    }

    record BadRequest(String why) implements Target {
    }

    private final Path root;

    WebRoot(Path root) {
        try {
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the web root " + root, e);
        }
        if (!Files.isDirectory(this.root)) {
            throw new IllegalArgumentException("the web root " + root + " is not a directory");
        }
    }

    Path path() {
        return root;
    }

    /** Resolves a request target's path ({@code /docs/a%20b.html?x}; the query is ignored). */
    Target resolve(String requestTarget) {
        String raw = requestTarget;
        int q = raw.indexOf('?');
        if (q >= 0) {
            raw = raw.substring(0, q);
        }
        int hash = raw.indexOf('#');
        if (hash >= 0) {
            raw = raw.substring(0, hash);
        }
        if (!raw.startsWith("/")) {
            return new BadRequest("the request target must be an absolute path");
        }
        String decoded = percentDecode(raw);
        if (decoded == null) {
            return new BadRequest("malformed percent-encoding in the path");
        }
        Path candidate = root;
        for (String segment : decoded.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                return new BadRequest("'..' is not allowed in a path");
            }
            if (segment.startsWith(".") && !segment.equals(".well-known")) {
                return new NotFound("hidden names are not served");
            }
            try {
                candidate = candidate.resolve(segment);
            } catch (InvalidPathException e) {
                return new BadRequest("invalid file name");
            }
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            return new NotFound("no such file");
        } catch (IOException e) {
            return new NotFound("cannot access the file");
        }
        if (!real.startsWith(root)) {
            return new NotFound("outside the served directory"); // a symbolic link leading out: not ours to show
        }
        if (hidden(real)) {
            return new NotFound("hidden names are not served"); // a symbolic link leading to a dot-file
        }
        if (Files.isDirectory(real)) {
            if (!decoded.endsWith("/")) {
                return new Redirect(raw + "/");
            }
            Path index = real.resolve(INDEX);
            if (!Files.isRegularFile(index)) {
                return new NotFound("the directory has no " + INDEX);
            }
            try {
                Path realIndex = index.toRealPath();
                if (!realIndex.startsWith(root) || hidden(realIndex)) {
                    return new NotFound("outside the served directory");
                }
                real = realIndex;
            } catch (IOException e) {
                return new NotFound("cannot access the file");
            }
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
            if (!attrs.isRegularFile() || !Files.isReadable(real)) {
                return new NotFound("not a readable regular file");
            }
            return new File(real, attrs);
        } catch (IOException e) {
            return new NotFound("cannot access the file");
        }
    }

    /** Whether a real path inside the root has a name starting with a dot below the root (other than {@code .well-known}). */
    private boolean hidden(Path real) {
        for (Path name : root.relativize(real)) {
            String n = name.toString();
            if (n.startsWith(".") && !n.equals(".well-known")) {
                return true;
            }
        }
        return false;
    }

    /** RFC 3986 §2.1 percent-decoding to UTF-8; null for a bad escape, NUL, or bytes that are not UTF-8. */
    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7e || c < 0x21) {
                return null; // a request line carries no raw spaces, controls or non-ASCII
            } else {
                out.write(c);
            }
        }
        byte[] bytes = out.toByteArray();
        for (byte b : bytes) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
