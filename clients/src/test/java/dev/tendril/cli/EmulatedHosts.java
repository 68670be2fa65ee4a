package dev.tendril.cli;

import dev.tendril.edge.testing.links.TestNetwork;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real clients, run inside the emulated hosts of a link-harness network: {@code dig}
 * from a user's own address and {@code bin/tendrilctl}. Shared by the real-process ITs that
 * place the root, the edge nodes and the users in network namespaces.
 */
final class EmulatedHosts {
    /** Exit code and combined output of one tendrilctl run. */
    record Ctl(int code, String out) {
    }

    private EmulatedHosts() {
    }

    /**
     * Put before a watcher's command (a runner's tendrilctl or dig that only looks whether the
     * nodes did something): the lowest CPU priority, so that on a 2-core machine the process
     * that watches does not take a CPU from the nodes whose own event times are being measured
     * (a tendrilctl is a JVM of about 0.3 CPU-seconds on both cores). The topology runner's users
     * fetch at this priority too (RealTopologyIT.fetch: they stand for hosts elsewhere); the
     * nodes keep the normal priority.
     */
    static final List<String> ASIDE = List.of("nice", "-n", "19");

    /** {@code bin/tendrilctl args} inside {@code host} (the admin sockets live on the emulated segment). */
    static Ctl ctl(TestNetwork net, String host, String... args) {
        return ctl(net, host, List.of(), args);
    }

    /** As above, the command behind {@code prefix} (e.g. {@link #ASIDE}). */
    static Ctl ctl(TestNetwork net, String host, List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Testbed.REPO.resolve("bin/tendrilctl").toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(net.command(host, cmd.toArray(String[]::new))).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("tendrilctl " + String.join(" ", args) + " did not end");
            }
            return new Ctl(p.exitValue(), out);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The A record the DNS server {@code server}:5353 answers for {@code name} to a query sent
     * from {@code host} with source address {@code from}; "" when there is no single address.
     */
    static String dig(TestNetwork net, String host, String from, String server, String name) {
        return dig(net, List.of(), host, from, server, name);
    }

    /** As above, the command behind {@code prefix} (e.g. {@link #ASIDE}). */
    static String dig(TestNetwork net, List<String> prefix, String host, String from, String server, String name) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("dig", "+short", "+tries=1", "+time=2", "-b", from, "@" + server, "-p", "5353", name, "A"));
        try {
            Process p = new ProcessBuilder(net.command(host, cmd.toArray(String[]::new))).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            return p.exitValue() == 0 && out.matches("[0-9.]+") ? out : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Polls {@link #dig} until its answer satisfies {@code wanted}; fails naming the last answer. */
    static String awaitAnswer(TestNetwork net, String host, String from, String server, String name,
                              Predicate<String> wanted, Duration limit) {
        return awaitAnswer(net, host, from, server, name, wanted, limit, Duration.ofMillis(10));
    }

    /** As above, one dig every {@code pace}. */
    static String awaitAnswer(TestNetwork net, String host, String from, String server, String name,
                              Predicate<String> wanted, Duration limit, Duration pace) {
        return awaitAnswer(net, List.of(), host, from, server, name, wanted, limit, pace);
    }

    /** As above, each dig behind {@code prefix} (e.g. {@link #ASIDE}). */
    static String awaitAnswer(TestNetwork net, List<String> prefix, String host, String from, String server, String name,
                              Predicate<String> wanted, Duration limit, Duration pace) {
        return awaitAnswer("dig from " + from, () -> dig(net, prefix, host, from, server, name), wanted, limit, pace);
    }

    /**
     * Asks {@code query} (an answer as {@link #dig} gives it) every {@code pace} until its answer
     * satisfies {@code wanted}; fails after {@code limit} naming {@code what} and the last answer.
     */
    static String awaitAnswer(String what, java.util.function.Supplier<String> query, Predicate<String> wanted, Duration limit,
                              Duration pace) {
        String[] last = {""};
        try {
            return Testbed.until(what, limit, pace, () -> {
                last[0] = query.get();
                return wanted.test(last[0]) ? Optional.of(last[0]) : Optional.empty();
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (last answer '" + last[0] + "')", e);
        }
    }

    private static final Pattern EDGE_READY = Pattern.compile("edge node ready in \\d+ ms \\(tree [^,]+, admin [0-9.]+:(\\d+)");

    /**
     * Waits until the edge node logging to {@code log} says it is ready, checks that its eBPF
     * latency probe runs (the real-process ITs must not pass on a degraded node), and returns
     * its admin port.
     */
    static int awaitEdgeReady(Path log, String name, Duration limit) {
        Matcher m = Testbed.until(name + " ready", limit, () -> {
            try {
                Matcher r = EDGE_READY.matcher(Files.readString(log));
                return r.find() ? Optional.of(r) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        });
        // the probe loads off the start path (DeferredLatencyProbe): its verdict follows the ready line
        String text = Testbed.until(name + " latency probe loaded", limit, () -> {
            try {
                String t = Files.readString(log);
                return t.contains("latency probe active") || t.contains("latency probe DEGRADED") ? Optional.of(t) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        });
        if (text.contains("latency probe DEGRADED")) {
            throw new AssertionError(name + ": the eBPF probe must run (root, BTF, libbpf1): "
                    + text.lines().filter(l -> l.contains("DEGRADED")).findFirst().orElse(""));
        }
        return Integer.parseInt(m.group(1));
    }
}
