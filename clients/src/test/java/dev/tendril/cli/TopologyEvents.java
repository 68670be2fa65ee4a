package dev.tendril.cli;

import dev.tendril.edge.selforg.application.NodeAgent;
import dev.tendril.eval.report.PngChart;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The self-organization events of a real-process topology run, as {@code tendrilctl events}
 * prints them, paired into trials: time-to-migrate (MIGRATION_DECIDED -> MIGRATION_RECORDED
 * of one search, at the origin) and time-to-replicate (REPLICATION_DECIDED ->
 * REPLICA_REGISTERED of one replication, minus the container start the replica reported),
 * each with the network delay of its message path in the emulated topology.
 */
final class TopologyEvents {
    static final Pattern LINE = Pattern.compile(
            "^(\\d+)  (\\S+)  (\\S+)  (\\S+)  ([A-Z_]+)(?:  \\[([^\\]]+)\\])?  (.*?)(?:  \\(container start (-?\\d+) ms\\))?$");
    static final Pattern TARGET = Pattern.compile("-> (\\S+): ");
    static final Pattern FORWARD = Pattern.compile("^hop (\\d+) -> (\\S+) ");
    static final Pattern REPLICA = Pattern.compile("^replica (\\S+) registered");

    record Event(long seq, Instant at, String node, String kind, String correlation, String detail, long containerStartMs) {
    }

    /** One timed trial: what was measured, and the one-way delays of the messages on its path. */
    record Trial(String what, String origin, String target, double measuredMs, double pathMs, String path,
                 double[] stagesMs) {
        double processingMs() {
            return measuredMs - pathMs;
        }
    }

    final List<Event> events = new ArrayList<>();

    /** Parses one page of {@code tendrilctl events} output; returns the highest sequence number seen (or -1). */
    long add(String output) {
        long last = -1;
        for (String line : output.lines().toList()) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                long seq = Long.parseLong(m.group(1));
                events.add(new Event(seq, Instant.parse(m.group(2)), m.group(3), m.group(5),
                        m.group(6) == null ? "" : m.group(6), m.group(7), m.group(8) == null ? -1 : Long.parseLong(m.group(8))));
                last = Math.max(last, seq);
            }
        }
        return last;
    }

    long count(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).count();
    }

    private Optional<Event> find(String node, String kind, String correlation) {
        return events.stream().filter(e -> e.node().equals(node) && e.kind().equals(kind) && e.correlation().equals(correlation))
                .findFirst();
    }

    /**
     * Migrations: the search's hops (SEARCH_FORWARDED at each hop), the offer from the target
     * straight back to the origin, and the origin's round trip to the root.
     */
    List<Trial> migrations(SwitchTree tree) {
        List<Trial> out = new ArrayList<>();
        for (Event d : events) {
            if (!d.kind().equals("MIGRATION_DECIDED")) {
                continue;
            }
            Optional<Event> rec = find(d.node(), "MIGRATION_RECORDED", d.correlation());
            if (rec.isEmpty()) {
                continue;
            }
            Matcher t = TARGET.matcher(rec.get().detail());
            String target = t.find() ? t.group(1) : "?";
            List<Event> hops = new ArrayList<>(events.stream()
                    .filter(e -> e.kind().equals("SEARCH_FORWARDED") && e.correlation().equals(d.correlation())).toList());
            hops.sort(Comparator.comparingInt(e -> hopNumber(e.detail())));
            List<String> path = new ArrayList<>(List.of(d.node()));
            for (Event h : hops) {
                Matcher f = FORWARD.matcher(h.detail());
                if (f.find()) {
                    path.add(f.group(2));
                }
            }
            if (!path.get(path.size() - 1).equals(target)) {
                path.add(target);
            }
            double ms = 0;
            for (int i = 1; i < path.size(); i++) {
                ms += tree.delayMs(path.get(i - 1), path.get(i));
            }
            ms += tree.delayMs(target, d.node()) + 2 * tree.delayMs(d.node(), "root");
            Optional<Event> offered = find(target, "SEARCH_OFFERED", d.correlation());
            double[] stages = offered.isEmpty() ? new double[] {Double.NaN, Double.NaN}
                    : new double[] {millis(d, offered.get()), millis(offered.get(), rec.get())};
            out.add(new Trial("migrate", d.node(), target, millis(d, rec.get()), ms,
                    String.join(">", path) + ">" + d.node() + "<>root", stages));
        }
        return out;
    }

    /** What a REPLICATION_DECIDED's detail says when the decision waited for the root's hosted-set answer. */
    static final String ASKED_ROOT = "ranked after the root's hosted-set answer";

    /**
     * Replications (for a shortage or for a bad-QoE cluster that no search could place): the
     * origin's hosted-set round trip with the root (only when it held no recent members list from
     * its overlay's members rounds), Replicate origin->replica, the replica's
     * membership check (its MembershipQuery round trip with the root: is the origin a node of
     * the tree? none when answered ahead, on the origin's ReplicateSoon), (container start excluded), then
     * either the replica's RegisterNode replica->root and the root's answer to the origin's
     * registration watch root->origin (the REPLICA_REGISTERED says "the root told"), or the
     * registration round trip with the root and the ReplicaReady replica->origin. The replica's
     * Attach to its parent is not on the path: it runs meanwhile.
     */
    List<Trial> replications(SwitchTree tree) {
        List<Trial> out = new ArrayList<>();
        List<Event> byTime = new ArrayList<>(events);
        byTime.sort(Comparator.comparing(Event::at));
        for (Event d : byTime) {
            if (!d.kind().equals("REPLICATION_DECIDED")) {
                continue;
            }
            Optional<Event> reg = find(d.node(), "REPLICA_REGISTERED", d.correlation());
            if (reg.isEmpty()) {
                continue;
            }
            Matcher r = REPLICA.matcher(reg.get().detail());
            String replica = r.find() ? r.group(1) : "?";
            String o = d.node();
            // REPLICATION_DECIDED carries the time of the decision, before the hosted-set round trip to the root,
            // which is made only when the node held no recent members list (the detail says which)
            boolean askedRoot = d.detail().contains(ASKED_ROOT);
            Optional<Event> requested = find(o, "REPLICA_REQUESTED", d.correlation());
            Optional<Event> started = find(replica, "REPLICA_STARTED", d.correlation());
            // the replica's membership check is a round trip to the root unless it was answered ahead, on the
            // origin's ReplicateSoon (its REPLICA_STARTED says so); without that event the shorter path is
            // assumed, which counts more as processing, not less
            boolean checkedAhead = started.map(e -> e.detail().contains(NodeAgent.MEMBERSHIP_AHEAD)).orElse(true);
            // the origin learnt of the registration from the root (its watch's answer: RegisterNode replica->root,
            // then root->origin) or from the replica's ReplicaReady (the root's acknowledgement back, then replica->origin)
            boolean rootTold = reg.get().detail().contains(NodeAgent.ROOT_TOLD);
            double ms = (askedRoot ? 2 * tree.delayMs(o, "root") : 0) + tree.delayMs(o, replica)
                    + (checkedAhead ? 0 : 2) * tree.delayMs(replica, "root")
                    + (rootTold ? tree.delayMs(replica, "root") + tree.delayMs("root", o)
                            : 2 * tree.delayMs(replica, "root") + tree.delayMs(replica, o));
            double measured = millis(d, reg.get()) - Math.max(0, reg.get().containerStartMs());
            double start = Math.max(0, reg.get().containerStartMs());
            double[] stages = requested.isEmpty() || started.isEmpty() ? new double[] {Double.NaN, Double.NaN, Double.NaN}
                    : new double[] {millis(d, requested.get()), millis(requested.get(), started.get()) - start,
                            millis(started.get(), reg.get())};
            String what = d.detail().startsWith("shortage:") ? "replicate-shortage" : "replicate-qoe";
            out.add(new Trial(what, o, replica, measured, ms,
                    (askedRoot ? o + "<>root," : "") + o + ">" + replica + (checkedAhead ? "" : "<>root")
                            + (rootTold ? ">root>" + o : "<>root," + replica + ">" + o), stages));
        }
        return out;
    }

    private static int hopNumber(String detail) {
        Matcher f = FORWARD.matcher(detail);
        return f.find() ? Integer.parseInt(f.group(1)) : 0;
    }

    private static double millis(Event from, Event to) {
        return (to.at().toEpochMilli() - from.at().toEpochMilli());
    }

    /** Nearest-rank percentile (p in (0, 100]); NaN when empty. */
    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** The table: percentiles beside the thesis' figures, and the network/processing split. */
    static String table(String topology, List<Trial> migrations, List<Trial> replications, long terminations,
                        double[] thesisMigrate, double[] thesisReplicate) {
        StringBuilder sb = new StringBuilder();
        // the thesis gives the heterogeneous case's median and p75, the topologies' median and p90
        String second = topology.equals("H") ? "thesis p75" : "thesis p90";
        sb.append("| topology | what | n | p1 | p50 | p75 | p90 | p99 | thesis p50 | " + second
                + " | path delay p50 | processing p50 | processing p90 |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        row(sb, topology, "time-to-migrate ms", migrations, thesisMigrate);
        row(sb, topology, "time-to-replicate ms (excl. container start)", replications, thesisReplicate);
        sb.append("terminations recorded: ").append(terminations).append('\n');
        long asked = replications.stream().filter(t -> t.path().startsWith(t.origin() + "<>root,")).count();
        sb.append("replications that asked the root for the hosted set (no recent members list): ").append(asked)
                .append(" of ").append(replications.size()).append('\n');
        long ahead = replications.stream().filter(t -> !t.path().contains("<>root<>root") && !t.path().contains("<>root>root")).count();
        sb.append("replications whose membership check was answered ahead (ReplicateSoon): ").append(ahead)
                .append(" of ").append(replications.size()).append('\n');
        long told = replications.stream().filter(t -> t.path().endsWith(">root>" + t.origin())).count();
        sb.append("replications the origin learnt of from the root (registration watch), not the ReplicaReady: ").append(told)
                .append(" of ").append(replications.size()).append('\n');
        sb.append(byRun(replications));
        sb.append('\n').append("| stage (from the nodes' event times) | n | p50 ms | p90 ms |\n|---|---|---|---|\n");
        stage(sb, "migrate: decided -> target offers (search hops)", migrations, 0);
        stage(sb, "migrate: target offers -> root recorded (offer + redirect round trip)", migrations, 1);
        stage(sb, "replicate: decided -> Replicate sent (ranking; the hosted-set round trip to the root when no recent members list)",
                replications, 0);
        stage(sb, "replicate: Replicate sent -> replica registered, minus container start (delivery, membership check, deploy, register)",
                replications, 1);
        stage(sb, "replicate: replica registered -> origin registered it (the root's watch answer, else the ReplicaReady)",
                replications, 2);
        return sb.toString();
    }

    /**
     * The replications' processing in the order they were decided, a replica node's first in the
     * set marked {@code *}, and the medians of the two kinds: the sets' slow runs were mostly a
     * node's first replica (docs/evaluation.md, 1c), and this line shows it without the run log.
     */
    static String byRun(List<Trial> replications) {
        java.util.Set<String> hosted = new java.util.HashSet<>();
        List<Double> first = new ArrayList<>();
        List<Double> later = new ArrayList<>();
        StringBuilder runs = new StringBuilder();
        for (Trial t : replications) {
            boolean isFirst = hosted.add(t.target());
            (isFirst ? first : later).add(t.processingMs());
            runs.append(runs.length() == 0 ? "" : " ").append(fmt(t.processingMs())).append(isFirst ? "*" : "");
        }
        return "replication processing in decision order, ms (* a replica node's first in the set): " + runs
                + "; p50 of a node's first " + fmt(percentile(first, 50)) + " (" + first.size() + "), of the later ones "
                + fmt(percentile(later, 50)) + " (" + later.size() + ")\n";
    }

    private static void row(StringBuilder sb, String topology, String what, List<Trial> trials, double[] thesis) {
        List<Double> m = trials.stream().map(Trial::measuredMs).toList();
        List<Double> path = trials.stream().map(Trial::pathMs).toList();
        List<Double> proc = trials.stream().map(Trial::processingMs).toList();
        sb.append("| ").append(topology).append(" | ").append(what).append(" | ").append(trials.size());
        for (double p : new double[] {1, 50, 75, 90, 99}) {
            sb.append(" | ").append(fmt(percentile(m, p)));
        }
        sb.append(" | ").append(fmt(thesis[0])).append(" | ").append(fmt(thesis[1]));
        sb.append(" | ").append(fmt(percentile(path, 50))).append(" | ").append(fmt(percentile(proc, 50)))
                .append(" | ").append(fmt(percentile(proc, 90))).append(" |\n");
    }

    private static void stage(StringBuilder sb, String what, List<Trial> trials, int index) {
        List<Double> v = trials.stream().map(t -> t.stagesMs()[index]).filter(x -> !Double.isNaN(x)).toList();
        sb.append("| ").append(what).append(" | ").append(v.size()).append(" | ").append(fmt(percentile(v, 50)))
                .append(" | ").append(fmt(percentile(v, 90))).append(" |\n");
    }

    /** CDFs of the measured times and of their path delays, one PNG (docs/eval). */
    static void plot(String topology, long seed, List<Trial> migrations, List<Trial> replications, java.nio.file.Path png)
            throws java.io.IOException {
        PngChart chart = PngChart.lines("Topology " + topology + ", real processes (seed " + seed
                        + "): time-to-migrate / -replicate and their path delay, CDF", "time (ms)",
                "fraction of trials", false).zeroBased();
        if (!migrations.isEmpty()) {
            chart.cdf("migrate", migrations.stream().mapToDouble(Trial::measuredMs).toArray());
            chart.cdf("migrate: path", migrations.stream().mapToDouble(Trial::pathMs).toArray());
        }
        if (!replications.isEmpty()) {
            chart.cdf("replicate", replications.stream().mapToDouble(Trial::measuredMs).toArray());
            chart.cdf("replicate: path", replications.stream().mapToDouble(Trial::pathMs).toArray());
        }
        chart.write(png);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(java.util.Locale.ROOT, Math.abs(v) < 20 ? "%.1f" : "%.0f", v);
    }
}
