package dev.tendril.root.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * When a test of real root processes fails, prints what each root logged about its Raft role
 * (role changes, elections, lost leadership) and its warnings, so that a failure seen once in CI
 * can be read from CI's output: the roots' logs live in the test's temporary folder, which is gone
 * by then. Register it on an instance field next to the {@code @TempDir} the roots' logs go to,
 * and keep that folder on failure ({@code @TempDir(cleanup = CleanupMode.ON_SUCCESS)}).
 */
public final class RootLogsOnFailure implements TestWatcher {
    private static final Pattern TELLING = Pattern.compile(
            "changes role|Lost leadership|stepped down recently|round \\d+: result|NOT_LEADER| WARN | ERROR |Exception");
    /** An election's exceptions from peers not yet (or no longer) up: its result line says enough. */
    private static final Pattern NOISE = Pattern.compile("got exception when requesting votes|  Exception \\d+: ");
    private static final int LINES_PER_ROOT = 60;

    private final Supplier<Path> dir;

    public RootLogsOnFailure(Supplier<Path> dir) {
        this.dir = dir;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Path d = dir.get();
        if (d == null || !Files.isDirectory(d)) {
            return;
        }
        StringBuilder out = new StringBuilder("---- the roots' Raft roles and warnings in " + context.getDisplayName()
                + " (" + d + ")\n");
        try (Stream<Path> files = Files.list(d)) {
            for (Path log : files.filter(f -> f.getFileName().toString().matches("root-\\d+\\.log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                List<String> telling = lines.stream().filter(l -> TELLING.matcher(l).find() && !NOISE.matcher(l).find()).toList();
                out.append("-- ").append(log.getFileName()).append(" (last ").append(Math.min(LINES_PER_ROOT, telling.size()))
                        .append(" of ").append(telling.size()).append(" such lines; ").append(lines.size()).append(" in all)\n");
                telling.subList(Math.max(0, telling.size() - LINES_PER_ROOT), telling.size())
                        .forEach(l -> out.append(l.length() > 300 ? l.substring(0, 300) + " ..." : l).append('\n'));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.print(out);
    }
}
