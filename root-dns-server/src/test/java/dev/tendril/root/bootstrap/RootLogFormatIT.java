package dev.tendril.root.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tendril.root.testing.RootProcessHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process log of a real root: by default text lines that start with an ISO-8601 UTC time
 * with date; with {@code TENDRIL_LOG_FORMAT=json} one JSON object per line (every line parses,
 * with level, logger and message), and no text line in between.
 */
class RootLogFormatIT {
    private static final List<String> SETS = List.of("dns.port=0", "control.port=0", "dns.ioThreads=1");
    private static final Pattern ISO_LINE = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z (INFO|WARN|ERROR|DEBUG|TRACE) .*");

    /** The jar's logback.xml rather than the tests' logback-test.xml. */
    private static final List<String> PRODUCTION_LOG = List.of("-Dlogback.configurationFile=logback.xml");

    @TempDir
    Path dir;

    @Test
    void textLinesCarryAnIsoTimeWithDate() throws Exception {
        String log;
        try (RootProcessHandle root = RootProcessHandle.start(dir, "builtin:demo", with("store.path=" + dir.resolve("a.db")),
                Map.of(), PRODUCTION_LOG)) {
            assertEquals(0, root.stop());
            log = root.log();
        }
        List<String> lines = log.lines().filter(l -> !l.isBlank()).toList();
        assertFalse(lines.isEmpty());
        for (String line : lines) {
            assertTrue(ISO_LINE.matcher(line).matches() || line.startsWith("\t") || line.startsWith("Caused by"), line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("ready in")), log);
    }

    @Test
    void jsonModeWritesOneParseableObjectPerLine() throws Exception {
        String log;
        try (RootProcessHandle root = RootProcessHandle.start(dir, "builtin:demo", with("store.path=" + dir.resolve("b.db")),
                Map.of("TENDRIL_LOG_FORMAT", "json"), PRODUCTION_LOG)) {
            assertEquals(0, root.stop());
            log = root.log();
        }
        ObjectMapper json = new ObjectMapper();
        List<String> lines = log.lines().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.size() >= 3, log);
        boolean ready = false;
        for (String line : lines) {
            JsonNode event = json.readTree(line); // throws on anything that is not one JSON value
            assertTrue(event.isObject(), line);
            assertTrue(event.path("timestamp").isNumber(), line);
            assertTrue(List.of("INFO", "WARN", "ERROR").contains(event.path("level").asText()), line);
            assertFalse(event.path("loggerName").asText().isEmpty(), line);
            ready |= event.path("formattedMessage").asText().contains("ready in");
        }
        assertTrue(ready, "the ready line is there: " + log);
    }

    private static List<String> with(String extra) {
        List<String> out = new java.util.ArrayList<>(SETS);
        out.add(extra);
        return out;
    }
}
