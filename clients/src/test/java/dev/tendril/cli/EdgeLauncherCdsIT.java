package dev.tendril.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/tendril-edge}'s class-data-sharing archive, in a copy of the launcher's layout (the
 * built jar and libraries linked, so the repository's own archive is left alone): the first
 * start writes it from the class list, a list naming classes that no longer exist included,
 * and a later start maps it (with {@code -Xshare:on} the JVM refuses to start when it cannot);
 * starts side by side wait for the one that writes it.
 */
class EdgeLauncherCdsIT {
    @TempDir
    Path dir;

    @Test
    void theFirstStartWritesTheArchiveFromTheClassListAndTheNextMapsIt() throws Exception {
        Path target = launcherLayout();
        Path archive = target.resolve("tendril-edge.jsa");

        assertEquals(0, version(Map.of()), "the first start (it writes the archive)");
        assertTrue(Files.size(archive) > 1_000_000, "an archive of the listed classes: " + Files.size(archive) + " bytes");
        assertFalse(Files.exists(target.resolve("tendril-edge.jsa.lock")), "the writer's lock is gone");
        assertFalse(Files.exists(target.resolve("tendril-edge.jsa.failed")));
        long written = Files.getLastModifiedTime(archive).toMillis();

        Path loaded = dir.resolve("loaded.txt");
        assertEquals(0, version(Map.of("TENDRIL_JAVA_OPTS", "-XX:+UseSerialGC -Xshare:on -Xlog:class+load=info:file=" + loaded)),
                "a later start maps the archive (-Xshare:on: the JVM stops when it cannot)");
        assertTrue(Files.readString(loaded).contains("dev.tendril.edge.bootstrap.EdgeNodeMain source: shared objects file"),
                "the node's classes come from it");
        assertEquals(written, Files.getLastModifiedTime(archive).toMillis(), "and does not write it again");

        // what the list names and a start does not load is in it too: the code of a first replication
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:SharedArchiveFile=" + archive, "-XX:+PrintSharedArchiveAndExit",
                "-cp", target.resolve("edge-node-0.1.0-SNAPSHOT.jar") + ":" + target.resolve("lib") + "/*"))
                .redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(listing.contains(" dev.tendril.edge.selforg.application.Replication app_loader"),
                listing.substring(0, Math.min(2_000, listing.length())));
    }

    @Test
    void startsSideBySideAfterABuildAllMapTheArchiveOneWrites() throws Exception {
        Path target = launcherLayout();
        List<Process> starts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            starts.add(startVersion(Map.of("TENDRIL_JAVA_OPTS", "-XX:+UseSerialGC -Xlog:class+load=info:file=" + dir.resolve("loaded-" + i + ".txt"))));
        }
        for (Process p : starts) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not return");
            assertEquals(0, p.exitValue());
        }
        assertTrue(Files.exists(target.resolve("tendril-edge.jsa")));
        assertFalse(Files.exists(target.resolve("tendril-edge.jsa.lock")), "the writer's lock is gone");
        for (int i = 0; i < 4; i++) {
            // the three that did not write it waited for the writer (they used to start without it)
            assertTrue(Files.readString(dir.resolve("loaded-" + i + ".txt")).contains("dev.tendril.edge.bootstrap.EdgeNodeMain source: shared objects file"),
                    "start " + i + " mapped the archive");
        }
    }

    @Test
    void aWaitThatIsNotWholeSecondsIsRefused() throws Exception {
        launcherLayout();
        assertEquals(2, version(Map.of("TENDRIL_EDGE_CDS_WAIT", "1.5")));
        assertTrue(Files.readString(dir.resolve("launcher.log")).contains("TENDRIL_EDGE_CDS_WAIT must be whole seconds, not '1.5'"));
    }

    /**
     * The launcher's layout in the temp folder: the built jar and libraries linked, the launcher copied and the
     * class list with one class that no longer exists (a list recorded from older code: skipped, not fatal), no
     * archive yet. Returns its edge-node/target.
     */
    private Path launcherLayout() throws IOException {
        Path target = Files.createDirectories(dir.resolve("edge-node/target"));
        Path built = Testbed.REPO.resolve("edge-node/target");
        Files.createSymbolicLink(target.resolve("edge-node-0.1.0-SNAPSHOT.jar"), built.resolve("edge-node-0.1.0-SNAPSHOT.jar"));
        Files.createSymbolicLink(target.resolve("lib"), built.resolve("lib"));
        Files.createDirectories(dir.resolve("bin"));
        Files.copy(Testbed.REPO.resolve("bin/tendril-edge"), dir.resolve("bin/tendril-edge"), StandardCopyOption.COPY_ATTRIBUTES);
        Path list = Files.createDirectories(dir.resolve("edge-node/cds")).resolve("edge.classlist");
        Files.writeString(list, Files.readString(Testbed.REPO.resolve("edge-node/cds/edge.classlist"))
                + "dev/tendril/edge/NoSuchClassAnyMore\n");
        return target;
    }

    /** {@code bin/tendril-edge --version}: the exit status (the output goes to a log in the temp folder). */
    private int version(Map<String, String> env) throws IOException, InterruptedException {
        Process p = startVersion(env);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not return");
        return p.exitValue();
    }

    private Process startVersion(Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(dir.resolve("bin/tendril-edge").toString(), "--version"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("launcher.log").toFile()));
        pb.environment().remove("TENDRIL_EDGE_CDS");
        pb.environment().remove("TENDRIL_EDGE_CDS_WAIT");
        pb.environment().remove("TENDRIL_JAVA_OPTS");
        pb.environment().putAll(env);
        return pb.start();
    }
}
