package dev.tendril.edge.adapter.out.proc;

import dev.tendril.edge.adapter.out.nvidia.NvidiaSmiGpuReader;
import dev.tendril.edge.monitoring.hardware.HardwareCollector;
import dev.tendril.edge.monitoring.hardware.HardwareReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Measures a Linux machine from {@code /proc}, as OSHI does there, without OSHI's start cost
 * (JNA, a few hundred classes, ~1 s for the first {@code SystemInfo}): CPU load between two
 * reads of the first line of {@code /proc/stat} (busy = all ticks but idle and iowait),
 * memory from {@code /proc/meminfo} (used = MemTotal - MemAvailable), and the file store that
 * holds {@code diskPath} (used = total - free, as df counts it); NVIDIA GPUs through
 * {@link NvidiaSmiGpuReader}. The first read reports the load since the collector was built.
 *
 * <p>It runs every monitoring round (twice a second with the default policies) for the node's
 * whole life, so it allocates little: the files are read into one reused buffer (a
 * {@code BufferedReader} per file cost 24 KB of buffers a read, which with the eBPF probe's
 * read was most of an idle node's allocation and a young collection every ~5 s), and the file
 * store is looked up once (each {@link Files#getFileStore} reads {@code /proc/mounts}; the store
 * asks {@code statvfs} of the path itself at every read, so it follows a new mount there).
 */
public final class ProcHardwareCollector implements HardwareCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ProcHardwareCollector.class);
    private final Path proc;
    private final Path diskPath;
    private final NvidiaSmiGpuReader gpus;
    private long[] previous;
    private String lastFailure = "";
    private byte[] buffer = new byte[4096];
    private FileStore store; // looked up at the first read, again after a failure

    /** @param proc the proc file system ({@code /proc}; another folder in tests) */
    public ProcHardwareCollector(Path proc, Path diskPath, NvidiaSmiGpuReader gpus) {
        this.proc = proc;
        this.diskPath = diskPath.toAbsolutePath();
        this.gpus = gpus;
        this.previous = ticksOrZero();
    }

    /** Whether this machine has the files this collector reads (a Linux {@code /proc}). */
    public static boolean available(Path proc) {
        return Files.isReadable(proc.resolve("stat")) && Files.isReadable(proc.resolve("meminfo"));
    }

    @Override
    public synchronized Optional<HardwareReading> read() {
        try {
            long[] now = ticks();
            double load = load(previous, now);
            previous = now;
            long[] memory = memory();
            if (store == null) {
                store = Files.getFileStore(diskPath);
            }
            long diskTotal = store.getTotalSpace();
            long diskUsed = Math.max(0, diskTotal - store.getUnallocatedSpace());
            lastFailure = "";
            return Optional.of(new HardwareReading(load, memory[0], memory[1], diskTotal, diskUsed, gpus.read()));
        } catch (IOException | RuntimeException e) {
            store = null;
            if (!e.toString().equals(lastFailure)) { // once per distinct problem
                LOG.warn("hardware read failed: {}", e.toString());
                lastFailure = e.toString();
            }
            return Optional.empty();
        }
    }

    /** Busy share of the ticks between two reads, in [0, 1]; 0 when no tick passed. */
    static double load(long[] before, long[] after) {
        long total = 0;
        long idle = 0;
        for (int i = 0; i < after.length; i++) {
            long d = Math.max(0, after[i] - (i < before.length ? before[i] : 0));
            total += d;
            if (i == 3 || i == 4) { // idle, iowait
                idle += d;
            }
        }
        return total == 0 ? 0 : Math.min(1, Math.max(0, (double) (total - idle) / total));
    }

    /** user nice system idle iowait irq softirq steal of all CPUs (guest time is inside user). */
    private long[] ticks() throws IOException {
        // the first line is the sum over all CPUs; the rest (a line per CPU, interrupts) is not read
        String text = read(proc.resolve("stat"), 512);
        int end = text.indexOf('\n');
        String cpu = end < 0 ? text : text.substring(0, end);
        if (!cpu.startsWith("cpu ")) {
            throw new IOException(proc.resolve("stat") + " does not start with a 'cpu' line");
        }
        long[] t = numbers(cpu, 4, 8);
        if (t.length == 0) {
            throw new IOException(proc.resolve("stat") + ": no ticks in its 'cpu' line");
        }
        return t;
    }

    private long[] ticksOrZero() {
        try {
            return ticks();
        } catch (IOException | RuntimeException e) {
            return new long[0];
        }
    }

    /** {total, used} in bytes. */
    private long[] memory() throws IOException {
        String text = read(proc.resolve("meminfo"), Integer.MAX_VALUE);
        long total = kibibytes(text, "MemTotal:");
        long available = kibibytes(text, "MemAvailable:");
        if (total < 0 || available < 0) {
            throw new IOException(proc.resolve("meminfo") + " lacks MemTotal or MemAvailable");
        }
        return new long[] {total, Math.max(0, total - available)};
    }

    /** The value of a "Name:   N kB" line in bytes, or -1 if there is no such line. */
    private static long kibibytes(String text, String name) {
        int at;
        if (text.startsWith(name)) {
            at = 0;
        } else {
            int newline = text.indexOf("\n" + name);
            if (newline < 0) {
                return -1;
            }
            at = newline + 1;
        }
        int end = text.indexOf('\n', at);
        long[] value = numbers(text.substring(at, end < 0 ? text.length() : end), name.length(), 1);
        return value.length == 1 ? value[0] * 1024 : -1;
    }

    /** Up to {@code max} whole numbers separated by blanks, from {@code from} on. */
    static long[] numbers(String line, int from, int max) {
        long[] out = new long[max];
        int n = 0;
        int i = from;
        while (n < max) {
            while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            int start = i;
            while (i < line.length() && line.charAt(i) >= '0' && line.charAt(i) <= '9') {
                i++;
            }
            if (i == start) {
                break;
            }
            out[n++] = Long.parseLong(line, start, i, 10);
        }
        return n == max ? out : Arrays.copyOf(out, n);
    }

    /** The file's first {@code limit} bytes (all of it if shorter) as Latin-1 text, through the reused buffer. */
    private String read(Path file, int limit) throws IOException {
        try (var in = new FileInputStream(file.toFile())) {
            int n = 0;
            int got;
            while (n < limit && (got = in.read(buffer, n, Math.min(buffer.length, limit) - n)) > 0) {
                n += got;
                if (n == buffer.length && n < limit) {
                    buffer = Arrays.copyOf(buffer, n * 2); // a meminfo longer than 4 KB
                }
            }
            return new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
        }
    }
}
