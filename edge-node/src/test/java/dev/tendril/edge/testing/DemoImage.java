package dev.tendril.edge.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Builds the demo image with scripts/build-demo-image.sh (idempotent) or fails saying what is missing. */
public final class DemoImage {
    public static final String NAME = "tendril/httpd-demo:latest";

    private DemoImage() {
    }

    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/build-demo-image.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new AssertionError("cannot find scripts/build-demo-image.sh above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    public static synchronized void ensure() {
        Path root = repoRoot();
        run(root, root.resolve("scripts/ensure-dockerd.sh").toString(),
                "dockerd is not running and could not be started: apt-get install docker.io, run as root");
        run(root, root.resolve("scripts/build-demo-image.sh").toString(),
                "could not build " + NAME + ": apt-get install busybox-static docker.io");
    }

    private static void run(Path dir, String script, String hint) {
        try {
            Process p = new ProcessBuilder(script).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(new File("/dev/null")).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(script + " failed: " + hint);
            }
        } catch (IOException e) {
            throw new AssertionError(script + " could not run: " + hint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
