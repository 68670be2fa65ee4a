package dev.tendril.edge.adapter.out.file;

import dev.tendril.edge.adapter.out.yaml.YamlDocuments;
import dev.tendril.edge.monitoring.hardware.GpuReading;
import dev.tendril.edge.monitoring.hardware.HardwareCollector;
import dev.tendril.edge.monitoring.hardware.HardwareReading;
import dev.tendril.protocol.spec.Problems;
import dev.tendril.protocol.spec.TreeReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the hardware figures from a JSON (or YAML) file on every read, so tests and
 * experiments can spoof load by rewriting the file:
 * <pre>{"cpuLoad": 0.93, "memory": {"total": "8Gi", "used": "7Gi"}, "disk": {"total": "100Gi", "used": "20Gi"},
 *  "gpus": [{"name": "A100", "utilization": 0.5, "memoryTotal": "40Gi", "memoryUsed": "1Gi"}]}</pre>
 * Sizes are byte counts or strings with units. A missing or bad file gives no reading
 * (logged once per distinct problem). The file is read on every call but parsed only when its
 * text differs from the last read's (the topology experiments sample every 250 ms on 30 nodes;
 * parsing the YAML each time was a third of an idle node's sampling thread).
 */
public final class FileHardwareCollector implements HardwareCollector {
    private static final Logger LOG = LoggerFactory.getLogger(FileHardwareCollector.class);
    private final Path file;
    private String lastProblem = "";
    /** The text last parsed into a reading, and that reading. */
    private String lastText;
    private HardwareReading lastReading;

    public FileHardwareCollector(Path file) {
        this.file = file;
    }

    @Override
    public synchronized Optional<HardwareReading> read() {
        Problems problems = new Problems();
        String text = YamlDocuments.readText(file, problems);
        if (text != null && text.equals(lastText)) {
            lastProblem = "";
            return Optional.of(lastReading);
        }
        Object tree = text == null ? null : YamlDocuments.parse(text, file.toString(), problems);
        Optional<HardwareReading> reading = tree == null ? Optional.empty() : parse(tree, problems);
        if (!problems.isEmpty()) {
            String problem = problems.toString();
            if (!problem.equals(lastProblem)) {
                LOG.warn("load file {} unusable: {}", file, problem);
                lastProblem = problem;
            }
            return Optional.empty();
        }
        lastProblem = "";
        lastText = text;
        lastReading = reading.orElseThrow(); // no problem recorded: parse gave a reading
        return reading;
    }

    static Optional<HardwareReading> parse(Object tree, Problems problems) {
        TreeReader r = TreeReader.root(tree, problems);
        r.rejectUnknown("cpuLoad", "memory", "disk", "gpus");
        double cpu = r.number("cpuLoad", null, 0, 1);
        TreeReader mem = r.object("memory", true, "a mapping {total, used}");
        TreeReader disk = r.object("disk", false, "a mapping {total, used}");
        long memTotal = mem.size("total", null);
        long memUsed = mem.size("used", null);
        long diskTotal = disk.size("total", 0L);
        long diskUsed = disk.size("used", 0L);
        List<GpuReading> gpus = new ArrayList<>();
        List<TreeReader> entries = r.objects("gpus", "a GPU {name, utilization, memoryTotal, memoryUsed}");
        for (int i = 0; i < entries.size(); i++) {
            TreeReader g = entries.get(i);
            gpus.add(new GpuReading(i, g.string("name", "", ""), g.number("utilization", null, 0, 1),
                    g.size("memoryTotal", 0L), g.size("memoryUsed", 0L)));
        }
        if (!problems.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HardwareReading(cpu, memTotal, memUsed, diskTotal, diskUsed, gpus));
    }
}
