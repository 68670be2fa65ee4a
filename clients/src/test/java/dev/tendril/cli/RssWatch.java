package dev.tendril.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Samples the resident set size (VmRSS of /proc/PID/status) of named processes every 250 ms
 * on a daemon thread: first, latest and highest value per process.
 */
final class RssWatch implements AutoCloseable {
    record Rss(long firstKb, long lastKb, long maxKb, boolean alive) {
        String line() {
            return String.format(Locale.ROOT, "RSS %d MB at the start, %d MB at the end, %d MB at most%s", firstKb / 1024,
                    lastKb / 1024, maxKb / 1024, alive ? "" : " (the process has EXITED)");
        }
    }

    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, long[]> samples = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean stop;

    RssWatch(Map<String, Process> processes) {
        this.processes.putAll(processes);
        processes.keySet().forEach(k -> samples.put(k, new long[] {-1, -1, -1}));
        sample();
        thread = new Thread(() -> {
            while (!stop) {
                sample();
                try {
                    Thread.sleep(250); // sampling period, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private synchronized void sample() {
        processes.forEach((name, p) -> {
            long kb = vmRss(p.pid());
            if (kb >= 0) {
                long[] s = samples.get(name);
                if (s[0] < 0) {
                    s[0] = kb;
                }
                s[1] = kb;
                s[2] = Math.max(s[2], kb);
            }
        });
    }

    static long vmRss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone
        }
        return -1;
    }

    synchronized Rss of(String name) {
        long[] s = samples.get(name);
        return new Rss(s[0], s[1], s[2], processes.get(name).isAlive());
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        sample();
    }
}
