package dev.tendril.root.bootstrap;

import dev.tendril.protocol.spec.Validated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tendril-root --config <file|builtin:demo> [--set key=value]... [--ready-file <path>]}
 *
 * <p>Starts a root: opens the topology database, loads it into the DNS directory, starts
 * the control endpoint and the DNS server, logs one line with the ports, and runs until
 * SIGTERM/SIGINT, when it stops cleanly. The ready file (written atomically once everything
 * listens) holds {@code dns.port}, {@code control.port}, {@code control.endpoint}, {@code pid}
 * and {@code startMillis} as {@code key=value} lines. Exit status 2: bad arguments or config.
 */
public final class RootMain {
    private static final Logger log = LoggerFactory.getLogger(RootMain.class);
    private static final String USAGE = "usage: tendril-root --config <file|builtin:demo> [--set key=value]... [--ready-file <path>]";

    private RootMain() {
    }

    public static void main(String[] args) {
        String config = null;
        Path readyFile = null;
        List<String> overrides = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            boolean hasValue = i + 1 < args.length;
            switch (a) {
                case "--config" -> config = hasValue ? args[++i] : fail("--config needs a file or builtin:demo");
                case "--set" -> overrides.add(hasValue ? args[++i] : fail("--set needs key=value"));
                case "--ready-file" -> readyFile = Path.of(hasValue ? args[++i] : fail("--ready-file needs a path"));
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> fail("unknown argument '" + a + "'");
            }
        }
        if (config == null) {
            fail("--config is required");
        }
        Validated<RootConfig> validated = RootConfigReader.read(config, overrides, Path.of("").toAbsolutePath());
        if (validated instanceof Validated.Invalid<RootConfig> invalid) {
            System.err.println("tendril-root: invalid configuration " + config + ":");
            invalid.problems().forEach(p -> System.err.println("  " + p));
            System.exit(2);
        }
        RootConfig rc = ((Validated.Valid<RootConfig>) validated).value();
        RootProcess root;
        try {
            root = RootProcess.start(rc, Clock.systemUTC());
        } catch (RuntimeException e) {
            log.error("{}: cannot start: {}", rc.id(), e.getMessage(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        // SIGTERM / SIGINT: stop cleanly and exit 0 (a plain shutdown hook would exit 143)
        for (String signal : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stopRequested.countDown());
            } catch (IllegalArgumentException e) {
                // ignored by our parent (e.g. SIGINT of a background job): the shutdown hook still stops us
                log.debug("SIG{} is not ours to handle: {}", signal, e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(root::close, "root-shutdown")); // any other exit
        long startMillis = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        var r = root.recovered();
        log.info("{}: ready in {} ms ({}): DNS {} port {} (udp+tcp, zones {}), control {} ({}), database {} ({} trees, {} nodes, {} migrations)",
                rc.id(), startMillis, root.stages(), rc.dns().bindAddress(), root.dnsPort(), rc.dns().zones(),
                root.controlEndpoint(), rc.security().serverKeys().isPresent()
                        ? "CURVE, " + root.keys().size() + " keys enrolled, " + rc.security().operatorKeys().size() + " bootstrap operators"
                        : "in clear", rc.store().path(), r.trees(), r.nodes(), r.migrations());
        if (readyFile != null) {
            writeReadyFile(readyFile, root, startMillis);
        }
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("{}: stopping", rc.id());
        root.close();
        log.info("{}: stopped", rc.id());
        System.exit(0);
    }

    private static void writeReadyFile(Path file, RootProcess root, long startMillis) {
        String text = "dns.port=" + root.dnsPort() + "\ncontrol.port=" + root.controlPort()
                + "\ncontrol.endpoint=" + root.controlEndpoint() + "\npid=" + ProcessHandle.current().pid()
                + "\nstartMillis=" + startMillis + "\n";
        try {
            Path abs = file.toAbsolutePath();
            Files.createDirectories(abs.getParent());
            Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.error("cannot write the ready file {}", file, e);
        }
    }

    private static String fail(String message) {
        System.err.println("tendril-root: " + message);
        System.err.println(USAGE);
        System.exit(2);
        return null;
    }
}
