package org.jnetstack.arch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dependencies between the packages of a source tree, read from the source text: import
 * lines (static ones too) and fully qualified names in the code (comments and string literals
 * are left out). A reference names the package it lives in by the longest package of the tree
 * that prefixes it, so a nested class ({@code org.jnetstack.loop.EventLoop.Attachment}) counts
 * for its package. Only packages under {@code prefix} take part.
 */
final class PackageGraph {
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    /** package -> package it uses -> one file that shows it (for the message). */
    private final Map<String, Map<String, String>> edges = new TreeMap<>();

    private PackageGraph() {
    }

    static PackageGraph read(Path sourceRoot, String prefix) {
        Map<Path, String> packageOf = new HashMap<>();
        Map<Path, String> textOf = new HashMap<>();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String text = withoutCommentsAndStrings(Files.readString(f));
                Matcher m = PACKAGE.matcher(text);
                if (m.find() && m.group(1).startsWith(prefix)) {
                    packageOf.put(f, m.group(1));
                    textOf.put(f, text);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> packages = new TreeSet<>(packageOf.values());
        Pattern reference = Pattern.compile("(?<![\\w.])" + Pattern.quote(prefix) + "(?:\\.\\w+)*");
        PackageGraph g = new PackageGraph();
        packages.forEach(p -> g.edges.put(p, new TreeMap<>()));
        textOf.forEach((file, text) -> {
            String from = packageOf.get(file);
            Matcher m = reference.matcher(text);
            while (m.find()) {
                String to = owningPackage(m.group(), packages);
                if (to != null && !to.equals(from)) {
                    g.edges.get(from).putIfAbsent(to, sourceRoot.relativize(file).toString());
                }
            }
        });
        return g;
    }

    /** The longest known package that is {@code name} or prefixes it at a dot. */
    private static String owningPackage(String name, Set<String> packages) {
        String n = name;
        while (true) {
            if (packages.contains(n)) {
                return n;
            }
            int dot = n.lastIndexOf('.');
            if (dot < 0) {
                return null;
            }
            n = n.substring(0, dot);
        }
    }

    Map<String, Map<String, String>> edges() {
        return edges;
    }

    /**
     * Every group of packages that reach each other (strongly connected components of more than
     * one package, by Tarjan's algorithm), each as one cycle through it described edge by edge.
     */
    List<String> cycles() {
        List<String> found = new ArrayList<>();
        for (Set<String> component : components()) {
            found.add(describeCycle(component));
        }
        return found;
    }

    private List<Set<String>> components() {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String p : edges.keySet()) {
            if (!index.containsKey(p)) {
                strongConnect(p, index, low, stack, onStack, out, next);
            }
        }
        return out;
    }

    private void strongConnect(String v, Map<String, Integer> index, Map<String, Integer> low,
            Deque<String> stack, Set<String> onStack, List<Set<String>> out, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : edges.get(v).keySet()) {
            if (!index.containsKey(w)) {
                strongConnect(w, index, low, stack, onStack, out, next);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }

    /** A shortest way round from the first package of {@code component} back to itself. */
    private String describeCycle(Set<String> component) {
        String start = component.iterator().next();
        Map<String, String> cameFrom = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        String last = null;
        while (!queue.isEmpty() && last == null) {
            String v = queue.poll();
            for (String w : edges.get(v).keySet()) {
                if (!component.contains(w)) {
                    continue;
                }
                if (w.equals(start)) {
                    last = v;
                    break;
                }
                if (!cameFrom.containsKey(w)) {
                    cameFrom.put(w, v);
                    queue.add(w);
                }
            }
        }
        List<String> path = new ArrayList<>();
        for (String v = last; v != null && !v.equals(start); v = cameFrom.get(v)) {
            path.addFirst(v);
        }
        path.addFirst(start);
        path.add(start);
        StringBuilder sb = new StringBuilder("cycle " + component + ":");
        for (int i = 0; i + 1 < path.size(); i++) {
            String from = path.get(i);
            String to = path.get(i + 1);
            sb.append("\n  ").append(from).append(" -> ").append(to).append(" (").append(edges.get(from).get(to)).append(')');
        }
        return sb.toString();
    }

    /** The text with comments and the contents of string and char literals blanked out. */
    static String withoutCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && s.charAt(i) != c && s.charAt(i) != '\n') {
                    i += s.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
