package dev.tendril.edge.adapter.out.ebpf;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** Integration tests fail (never skip) when a tool is missing, saying what to install. */
final class Tools {
    private Tools() {
    }

    static void require(String command, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return;
            }
        }
        fail("'" + command + "' is missing: install " + debianPackage + " (scripts/setup.sh does)");
    }
}
