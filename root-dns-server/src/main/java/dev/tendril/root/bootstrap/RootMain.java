package dev.tendril.root.bootstrap;

import dev.tendril.protocol.spec.Validated;
import org.slf4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tendril-root --config <file|builtin:demo> [--set key=value]... [--ready-file <path>]} (picocli; --help lists exit codes)
 *
 * <p>Starts a root: opens the topology database, loads it into the DNS directory, starts
 * the control endpoint and the DNS server, logs one line with the ports, and runs until
 * SIGTERM/SIGINT, when it stops cleanly. The ready file (written atomically once everything
 * listens) holds {@code dns.port}, {@code control.port}, {@code control.endpoint}, {@code pid},
 * {@code http.authority} (when {@code http.port} is set)
 * and {@code startMillis} as {@code key=value} lines. Exit status 2: bad arguments or config, or a
 * topology database that fails its integrity check.
 */
@Command(name = "tendril-root", mixinStandardHelpOptions = true, version = "tendril-root 0.1.0",
        description = "Starts a Tendril root: authoritative GeoDNS, the topology repository and the control endpoint. "
                + "Runs until SIGTERM or SIGINT, then stops cleanly; SIGHUP re-reads the GeoIP databases and security.serverKey (key rotation). "
                + "Configuration keys: docs/configuration.md.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped cleanly (SIGTERM, SIGINT), or --help / --version",
            "1:could not start (a port taken, the database unusable)", "2:bad arguments or configuration"})
public final class RootMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RootMain.class);

    @Option(names = "--config", required = true, paramLabel = "FILE|builtin:demo",
            description = "the YAML configuration, or builtin:demo (everything on loopback)")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "overrides one configuration key, e.g. --set dns.port=0 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--ready-file", paramLabel = "PATH",
            description = "written atomically once everything listens: dns.port, control.port, control.endpoint, pid, "
                    + "startMillis, http.authority")
    Path readyFile;

    private RootMain() {
    }

    /** The command line of this launcher (for tests, completion and man pages). */
    public static CommandLine commandLine() {
        return new CommandLine(new RootMain());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Override
    public Integer call() {
        Validated<RootConfig> validated = RootConfigReader.read(config, overrides, Path.of("").toAbsolutePath());
        if (validated instanceof Validated.Invalid<RootConfig> invalid) {
            System.err.println("tendril-root: invalid configuration " + config + ":");
            invalid.problems().forEach(p -> System.err.println("  " + p));
            return 2;
        }
        RootConfig rc = ((Validated.Valid<RootConfig>) validated).value();
        RootProcess root;
        try {
            root = RootProcess.start(rc, Clock.systemUTC());
        } catch (dev.tendril.root.application.port.out.CorruptTopologyException e) {
            log.error("{}: cannot start: {}", rc.id(), e.getMessage());
            System.err.println("tendril-root: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            log.error("{}: cannot start: {}", rc.id(), e.getMessage(), e);
            return 1;
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
        try { // SIGHUP: re-read the GeoIP databases without dropping a query
            sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                root.reloadGeoIp();
                root.rotateServerKey();
            });
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                // inherited as ignored (nohup does this): the JVM keeps it ignored, and a reload by
                // SIGHUP would do nothing without a word
                log.warn("{}: SIGHUP is ignored by this process (started under nohup?): reload the GeoIP "
                        + "databases and the server key with `tendrilctl root reload` instead", rc.id());
            }
        } catch (IllegalArgumentException e) {
            log.debug("SIGHUP is not ours to handle: {}", e.getMessage());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(root::close, "root-shutdown")); // any other exit
        long startMillis = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        var r = root.recovered();
        log.info("{}: ready in {} ms ({}): DNS {} port {} (udp+tcp, zones {}), control {} ({}), database {} ({} trees, {} nodes, {} migrations)",
                rc.id(), startMillis, root.stages(), rc.dns().bindAddress(), root.dnsPort(), rc.dns().zones(),
                root.controlEndpoint(), rc.security().serverKeys().isPresent()
                        ? "CURVE, " + root.keys().size() + " keys enrolled, " + rc.security().operatorKeys().size() + " bootstrap operators"
                        : "in clear", rc.store().path(), r.trees(), r.nodes(), r.migrations());
        root.httpAuthority().ifPresent(a -> log.info("{}: metrics http://{}/metrics, health http://{}/healthz, readiness http://{}/readyz",
                rc.id(), a, a, a));
        root.httpAuthority().ifPresent(a -> log.info("{}: live map http://{}/ (JSON http://{}/api/map)", rc.id(), a, a));
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
        return 0;
    }

    private static void writeReadyFile(Path file, RootProcess root, long startMillis) {
        String text = "dns.port=" + root.dnsPort() + "\ncontrol.port=" + root.controlPort()
                + "\ncontrol.endpoint=" + root.controlEndpoint() + "\npid=" + ProcessHandle.current().pid()
                + "\nstartMillis=" + startMillis + "\n"
                + root.httpAuthority().map(a -> "http.authority=" + a + "\n").orElse("");
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
}
