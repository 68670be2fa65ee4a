package dev.tendril.edge.adapter.out.nvidia;

import dev.tendril.edge.monitoring.hardware.GpuReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reads NVIDIA GPUs through {@code nvidia-smi --query-gpu=... --format=csv,noheader,nounits}.
 * Where nvidia-smi is missing (no NVIDIA driver) the machine has no GPUs as far as Tendril
 * is concerned; the first failure is logged once.
 */
public final class NvidiaSmiGpuReader {
    public static final List<String> COMMAND = List.of("nvidia-smi",
            "--query-gpu=index,name,utilization.gpu,memory.total,memory.used", "--format=csv,noheader,nounits");
    private static final Logger LOG = LoggerFactory.getLogger(NvidiaSmiGpuReader.class);

    /** Runs a command and returns its standard output, or empty when it cannot run or fails. */
    @FunctionalInterface
    public interface CommandRunner {
        Optional<String> run(List<String> command);
    }

    private final CommandRunner runner;
    private volatile boolean unavailable;

    public NvidiaSmiGpuReader(CommandRunner runner) {
        this.runner = runner;
    }

    public static NvidiaSmiGpuReader onThisMachine() {
        return new NvidiaSmiGpuReader(NvidiaSmiGpuReader::runProcess);
    }

    /** The GPUs now; empty when there are none or nvidia-smi is not there. */
    public List<GpuReading> read() {
        if (unavailable) {
            return List.of();
        }
        Optional<String> out = runner.run(COMMAND);
        if (out.isEmpty()) {
            unavailable = true;
            LOG.info("nvidia-smi not available: no GPUs are reported");
            return List.of();
        }
        return parse(out.get());
    }

    /** Parses nvidia-smi CSV (noheader, nounits: utilisation in %, memory in MiB); skips lines it cannot read. */
    public static List<GpuReading> parse(String csv) {
        List<GpuReading> out = new ArrayList<>();
        for (String line : csv.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length < 5) {
                continue;
            }
            try {
                int n = f.length;
                // the name may itself hold commas: index first, the three figures last
                String name = String.join(",", java.util.Arrays.copyOfRange(f, 1, n - 3)).trim();
                double util = number(f[n - 3]) / 100.0;
                long total = (long) number(f[n - 2]) << 20;
                long used = (long) number(f[n - 1]) << 20;
                out.add(new GpuReading(Integer.parseInt(f[0].trim()), name, Math.min(1, Math.max(0, util)), total, used));
            } catch (IllegalArgumentException e) {
                LOG.debug("skipping nvidia-smi line '{}': {}", line, e.getMessage());
            }
        }
        return out;
    }

    private static double number(String s) {
        String t = s.trim();
        if (t.startsWith("[") || t.equalsIgnoreCase("N/A")) { // "[N/A]" / "[Not Supported]"
            return 0;
        }
        return Double.parseDouble(t);
    }

    private static Optional<String> runProcess(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
