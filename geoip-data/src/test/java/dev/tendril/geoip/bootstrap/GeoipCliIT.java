package dev.tendril.geoip.bootstrap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launchers as a user runs them: bin/tendril-geoip-compile turns demo.csv into the same
 * bytes as the checked-in demo.mmdb, and bin/tendril-geoip-lookup reads it (and a flat pair)
 * in a separate JVM. Uses the module jar built by `package`; no network.
 */
class GeoipCliIT {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private record Result(int status, String output) {
    }

    private Result run(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, REPO.resolve(command[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().remove("SOURCE_DATE_EPOCH");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void compileLauncherReproducesTheDemoDatabase() throws Exception {
        Path db = tmp.resolve("demo.mmdb");
        Result r = run("bin/tendril-geoip-compile", "--build-epoch", "1767225600",
                "--description", "Tendril GeoIP compiled from demo.csv", "geoip-data/csv/demo.csv", db.toString());
        assertEquals(0, r.status(), r.output());
        assertArrayEquals(Files.readAllBytes(REPO.resolve("geoip-data/src/main/resources/dev/tendril/geoip/demo.mmdb")),
                Files.readAllBytes(db));
    }

    @Test
    void compileLauncherReportsBadRowsWithFileAndLine() throws Exception {
        Path csv = tmp.resolve("bad.csv");
        Files.writeString(csv, "cidr,lat,lon,city,country\n10.0.0.0/8,48.1,500,Munich,DE\n");
        Result r = run("bin/tendril-geoip-compile", csv.toString(), tmp.resolve("x.mmdb").toString());
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().contains(csv + ":2: longitude '500' is out of range: allowed is -180 to 180 degrees"), r.output());
        assertTrue(!Files.exists(tmp.resolve("x.mmdb")));
    }

    @Test
    void lookupLauncherLayersPrivateOverFlatPublic() throws Exception {
        Result r = run("bin/tendril-geoip-lookup", "geoip-data/src/main/resources/dev/tendril/geoip/demo.mmdb",
                "geoip-data/src/test/resources/mmdb/world-flat-ipv4.mmdb", "geoip-data/src/test/resources/mmdb/world-flat-ipv6.mmdb",
                "--", "198.18.6.1", "8.8.8.8", "fd00:0:4::1", "2400:cb00::1", "127.0.0.1");
        assertEquals(0, r.status(), r.output());
        List<String> lines = r.output().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(5, lines.size(), r.output());
        assertTrue(lines.get(0).matches("198\\.18\\.6\\.1\\s+Tokyo\\s+JP\\s+35\\.6762\\s+139\\.6503\\s+198\\.18\\.6\\.0/24"), lines.get(0));
        assertTrue(lines.get(1).matches("8\\.8\\.8\\.8\\s+Mountain View\\s+US.*8\\.8\\.8\\.0/24"), lines.get(1));
        assertTrue(lines.get(2).matches("fd00:0:4::1\\s+Sydney\\s+AU.*fd00:0:4:0:0:0:0:0/48"), lines.get(2));
        assertTrue(lines.get(3).matches("2400:cb00::1\\s+Sydney\\s+AU.*2400:cb00:0:0:0:0:0:0/32"), lines.get(3));
        // demo.csv leaves 127/8 out and world-flat-ipv4 puts it in Sydney: the public layer answers
        assertTrue(lines.get(4).matches("127\\.0\\.0\\.1\\s+Sydney.*127\\.0\\.0\\.0/8"), lines.get(4));
    }
}
