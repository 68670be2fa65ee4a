package dev.tendril.edge.testing.links;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A network of test hosts for {@code compose/links/tendril-links}: hosts (namespaces with
 * addresses), switches, and links with one-way delay, jitter and loss. Renders the harness's
 * text format; see compose/README.md.
 * <pre>
 * Topology t = Topology.builder()
 *     .host("srv", "10.0.0.1/24").host("c1", "10.0.0.2/24")
 *     .link("srv", "c1", Topology.Link.delay(Duration.ofMillis(20)).withLoss(0.05))
 *     .build();
 * </pre>
 */
public final class Topology {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

    /** Link impairments, each way. */
    public record Link(Duration delay, Duration jitter, double loss) {
        public Link {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(jitter, "jitter");
            if (delay.isNegative() || jitter.isNegative() || loss < 0 || loss > 1) {
                throw new IllegalArgumentException("bad link " + delay + " " + jitter + " " + loss);
            }
        }

        public static Link perfect() {
            return new Link(Duration.ZERO, Duration.ZERO, 0);
        }

        public static Link delay(Duration oneWay) {
            return new Link(oneWay, Duration.ZERO, 0);
        }

        public Link withJitter(Duration j) {
            return new Link(delay, j, loss);
        }

        public Link withLoss(double fraction) {
            return new Link(delay, jitter, fraction);
        }

        String options() {
            return String.format(Locale.ROOT, "delay=%dus jitter=%dus loss=%.6f",
                    delay.toNanos() / 1000, jitter.toNanos() / 1000, loss);
        }
    }

    private final String text;
    private final List<String> hosts;

    private Topology(String text, List<String> hosts) {
        this.text = text;
        this.hosts = List.copyOf(hosts);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The topology in the harness's text format. */
    public String text() {
        return text;
    }

    public List<String> hosts() {
        return hosts;
    }

    public static final class Builder {
        private final Map<String, String> nodes = new LinkedHashMap<>();
        private final List<String> hostNames = new ArrayList<>();
        private final List<String> links = new ArrayList<>();

        public Builder host(String name, String... cidrs) {
            add(name, "host " + name + (cidrs.length == 0 ? "" : " " + String.join(" ", cidrs)));
            hostNames.add(name);
            return this;
        }

        public Builder switchNode(String name) {
            add(name, "switch " + name);
            return this;
        }

        private void add(String name, String line) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("bad node name " + name);
            }
            if (nodes.putIfAbsent(name, line) != null) {
                throw new IllegalArgumentException("node " + name + " defined twice");
            }
        }

        public Builder link(String a, String b, Link link) {
            if (!nodes.containsKey(a) || !nodes.containsKey(b)) {
                throw new IllegalArgumentException("link " + a + "-" + b + ": define both nodes first");
            }
            links.add("link " + a + " " + b + " " + link.options());
            return this;
        }

        public Topology build() {
            StringBuilder sb = new StringBuilder();
            nodes.values().forEach(l -> sb.append(l).append('\n'));
            links.forEach(l -> sb.append(l).append('\n'));
            return new Topology(sb.toString(), hostNames);
        }
    }
}
