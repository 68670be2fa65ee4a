package dev.tendril.edge.bootstrap;

import dev.tendril.protocol.spec.Validated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tendril-edge --config edge.yaml [--check]}: starts an edge node (or only validates
 * its configuration with --check) and runs it until SIGTERM or SIGINT, when it stops cleanly
 * and exits 0. Exit codes: 0 stopped normally, 2 bad arguments or configuration, 1 could not start.
 */
@Command(name = "tendril-edge", mixinStandardHelpOptions = true, version = "tendril-edge 0.1.0",
        description = "Starts a Tendril edge node: hosts service instances, joins their trees, measures its users' "
                + "latency and self-organizes. Runs until SIGTERM or SIGINT, then stops cleanly (hosted instances keep "
                + "running and are adopted at the next start). Configuration keys: docs/configuration.md.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped cleanly (SIGTERM, SIGINT), configuration valid (--check), or --help / --version",
            "1:could not start (no Docker engine, a port taken)", "2:bad arguments or configuration"})
public final class EdgeNodeMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(EdgeNodeMain.class);

    @Option(names = {"--config", "-c"}, paramLabel = "FILE", description = "the node's YAML configuration")
    Path config;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "the configuration, as --config")
    Path configArgument;

    @Option(names = "--check", description = "only validate the configuration, then exit")
    boolean checkOnly;

    private EdgeNodeMain() {
    }

    /** The command line of this launcher (for tests, completion and man pages). */
    public static CommandLine commandLine() {
        return new CommandLine(new EdgeNodeMain());
    }

    public static void main(String[] args) {
        EdgeNodeMain plain = plainArguments(args);
        if (plain == null) {
            System.exit(commandLine().execute(args));
        }
        try {
            System.exit(plain.call());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    /**
     * The arguments of an ordinary start read without picocli, which is ~170 classes and ~1 MB
     * of an idle node (docs/benchmarks.md, "Edge footprint"): {@code --config FILE},
     * {@code -c FILE}, {@code --config=FILE} or {@code FILE}, and {@code --check}, each at most
     * once. Null for anything else (--help, --version, anything unknown or repeated): picocli
     * reads those, with its help and errors. Both readers give the same fields (EdgeNodeMainTest).
     */
    static EdgeNodeMain plainArguments(String... args) {
        try {
            return plain(args);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private static EdgeNodeMain plain(String... args) {
        EdgeNodeMain m = new EdgeNodeMain();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--check") && !m.checkOnly) {
                m.checkOnly = true;
            } else if ((a.equals("--config") || a.equals("-c")) && m.config == null && i + 1 < args.length
                    && plainValue(args[i + 1])) {
                m.config = Path.of(args[++i]);
            } else if (a.startsWith("--config=") && m.config == null && plainValue(a.substring("--config=".length()))) {
                m.config = Path.of(a.substring("--config=".length()));
            } else if (plainValue(a) && m.configArgument == null) {
                m.configArgument = Path.of(a);
            } else {
                return null;
            }
        }
        return m;
    }

    private static boolean plainValue(String v) {
        return !v.isEmpty() && !v.startsWith("-") && !v.startsWith("@"); // @file: picocli's argument files
    }

    @Override
    public Integer call() throws InterruptedException {
        Path file = config != null ? config : configArgument;
        if (file == null || !Files.isReadable(file)) {
            System.err.println("tendril-edge: " + (file == null ? "--config is required" : "cannot read " + file));
            System.err.println("usage: tendril-edge --config <edge.yaml> [--check]   (tendril-edge --help)");
            return 2;
        }
        Validated<EdgeConfig> read = EdgeConfigReader.read(file);
        if (read instanceof Validated.Invalid<EdgeConfig> invalid) {
            System.err.println(file + " is not a valid edge node configuration:");
            invalid.problems().forEach(p -> System.err.println("  " + p));
            return 2;
        }
        EdgeConfig cfg = read.orThrow();
        if (checkOnly) {
            System.out.println(file + ": valid (platform " + cfg.platform().id() + ")");
            return 0;
        }
        EdgeNode node;
        try {
            node = EdgeNode.start(cfg);
        } catch (RuntimeException e) {
            log.error("{}: cannot start: {}", cfg.platform().id(), e.getMessage(), e);
            return 1;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        // SIGTERM / SIGINT: stop cleanly and exit 0 (with only a shutdown hook the JVM exits 143)
        for (String signal : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stopRequested.countDown());
            } catch (IllegalArgumentException e) {
                log.debug("SIG{} is not ours to handle: {}", signal, e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "shutdown")); // any other exit; close is idempotent
        Instant started = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        log.info("{}: edge node ready in {} ms (tree {}:{}, admin {}:{}, runtime {}, {})", cfg.platform().id(),
                Duration.between(started, Instant.now()).toMillis(), cfg.treeBind().host(), node.treePort(),
                cfg.adminBind().host(), node.adminPort(), cfg.runtime().name().toLowerCase(java.util.Locale.ROOT),
                cfg.security().keys().isPresent() ? "CURVE" : "in clear");
        node.httpAuthority().ifPresent(a -> log.info("{}: metrics http://{}/metrics, health http://{}/healthz, readiness http://{}/readyz",
                cfg.platform().id(), a, a, a));
        // the first Replicate this node gets should not pay for loading the code it needs
        int maxSpec = cfg.admission().maxSpecBytes();
        WarmUp.startAfter(Duration.ofSeconds(1), cfg.platform().id(),
                text -> dev.tendril.edge.adapter.out.yaml.SpecParser.parse(text, maxSpec), node::rehearseReplicate);
        stopRequested.await();
        log.info("{}: stopping", cfg.platform().id());
        node.close();
        log.info("{}: stopped", cfg.platform().id());
        return 0;
    }
}
