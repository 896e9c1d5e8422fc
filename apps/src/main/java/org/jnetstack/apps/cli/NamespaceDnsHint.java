package org.jnetstack.apps.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code jns gateway --netns} tells its user about DNS in the namespace: the gateway's DNS
 * address, and a command that gives it to the namespace's programs. A network namespace has no
 * resolv.conf of its own; programs read {@code /etc/resolv.conf} of their mount namespace — the
 * host's, whose name server may be a loopback stub (127.0.0.53) that is not there. {@code ip netns
 * exec NAME} bind-mounts {@code /etc/netns/NAME/resolv.conf} over it, but only root can write
 * there and only namespaces named under {@code /run/netns} have a NAME; any other namespace
 * (a PID's, or one an unprivileged user made with {@code unshare -rn}) needs a mount namespace
 * of its own with that file bind-mounted, which its owner may make ({@code unshare -m}). The file
 * is removed once mounted: the mount keeps it.
 */
final class NamespaceDnsHint {
    private NamespaceDnsHint() {
    }

    /**
     * The hint's lines.
     *
     * @param netns     the namespace as given on the command line (a PID or a path)
     * @param path      its path
     * @param userns    the user namespace the gateway entered to serve it (not root), or null
     * @param dns       the gateway's DNS address
     */
    static List<String> lines(String netns, Path path, Path userns, String dns) {
        Path parent = path.getParent();
        if (userns == null && parent != null && (parent.equals(Path.of("/run/netns")) || parent.equals(Path.of("/var/run/netns")))) {
            String name = path.getFileName().toString();
            return List.of("DNS: programs run with `ip netns exec " + name + "` read /etc/netns/" + name
                            + "/resolv.conf in place of /etc/resolv.conf; to give them the gateway's DNS " + dns + ":",
                    "  mkdir -p /etc/netns/" + name + " && echo 'nameserver " + dns + "' > /etc/netns/" + name + "/resolv.conf");
        }
        return List.of("DNS: programs in the namespace read /etc/resolv.conf of their mount namespace (the host's unless"
                        + " they have their own); a shell there with the gateway's DNS " + dns + ":",
                "  " + enter(netns, path, userns) + " unshare -m sh -c 'f=$(mktemp) && echo nameserver " + dns
                        + " > $f && mount --bind $f /etc/resolv.conf && rm $f && exec sh'");
    }

    /** nsenter into the namespace, and into its user namespace when the gateway needed that too. */
    private static String enter(String netns, Path path, Path userns) {
        boolean pid = !netns.isEmpty() && netns.chars().allMatch(Character::isDigit);
        if (pid) {
            return "nsenter " + (userns != null ? "--preserve-credentials -U " : "") + "-n -t " + netns;
        }
        return "nsenter " + (userns != null ? "--preserve-credentials --user=" + userns + " " : "") + "--net=" + path;
    }
}
