package dev.tendril.edge.bootstrap;

import dev.tendril.protocol.spec.Validated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tendril-edge --config edge.yaml [--check]}: starts an edge node (or only validates
 * its configuration with --check). Exit codes: 0 stopped normally, 2 bad configuration,
 * 1 could not start.
 */
public final class EdgeNodeMain {
    private static final Logger log = LoggerFactory.getLogger(EdgeNodeMain.class);

    private EdgeNodeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path config = null;
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "-c" -> config = i + 1 < args.length ? Path.of(args[++i]) : null;
                case "--check" -> checkOnly = true;
                default -> config = Path.of(args[i]);
            }
        }
        if (config == null || !Files.isReadable(config)) {
            System.err.println("usage: tendril-edge --config <edge.yaml> [--check]" + (config == null ? "" : "\ncannot read " + config));
            System.exit(2);
        }
        Validated<EdgeConfig> read = EdgeConfigReader.read(config);
        if (read instanceof Validated.Invalid<EdgeConfig> invalid) {
            System.err.println(config + " is not a valid edge node configuration:");
            invalid.problems().forEach(p -> System.err.println("  " + p));
            System.exit(2);
        }
        EdgeConfig cfg = read.orThrow();
        if (checkOnly) {
            System.out.println(config + ": valid (platform " + cfg.platform().id() + ")");
            return;
        }
        EdgeNode node;
        try {
            node = EdgeNode.start(cfg);
        } catch (RuntimeException e) {
            log.error("{}: cannot start: {}", cfg.platform().id(), e.getMessage(), e);
            System.exit(1);
            return;
        }
        Instant started = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        log.info("{}: edge node ready in {} ms (tree {}:{}, admin {}:{}, runtime {}, {})", cfg.platform().id(),
                Duration.between(started, Instant.now()).toMillis(), cfg.treeBind().host(), node.treePort(),
                cfg.adminBind().host(), node.adminPort(), cfg.runtime().name().toLowerCase(java.util.Locale.ROOT),
                cfg.security().keys().isPresent() ? "CURVE" : "in clear");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stop.countDown();
        }, "shutdown"));
        stop.await();
    }
}
