package dev.tendril.root.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/** Runs the real {@code dig} against a server on 127.0.0.1 and reads its output. */
public final class Dig {
    private Dig() {
    }

    /** Fails (never skips) with what to install when dig is missing. */
    public static void require() {
        try {
            Process p = new ProcessBuilder("dig", "-v").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail("dig -v failed: install dnsutils (apt-get install dnsutils; scripts/setup.sh does it)");
            }
        } catch (IOException | InterruptedException e) {
            fail("dig not found: install dnsutils (apt-get install dnsutils; scripts/setup.sh does it): " + e);
        }
    }

    /**
     * {@code dig @127.0.0.1 -p port +time=3 +tries=1 args...}. Fails at once for a server port
     * in the kernel's ephemeral range (a server started on port 0): dig may be handed that very
     * port as its source and read its own query back, once in ~28,000 digs ({@link ListenPorts}).
     */
    public static Result query(int port, String... args) {
        ListenPorts.requireNoClientCanTake(port);
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", Integer.toString(port), "+time=3", "+tries=1"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("dig did not finish: " + cmd);
            }
            return new Result(String.join(" ", cmd), new String(out, StandardCharsets.UTF_8));
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("running " + cmd + " failed", e);
        }
    }

    /** dig's output, parsed as needed. */
    public record Result(String command, String output) {
        private static final Pattern STATUS = Pattern.compile("status: ([A-Z]+)");
        private static final Pattern FLAGS = Pattern.compile(";; flags: ([a-z ]*);");
        private static final Pattern ECS = Pattern.compile("CLIENT-SUBNET: (\\S+)");
        private static final Pattern NSID = Pattern.compile("NSID: .*\\(\"(.*)\"\\)");

        public String status() {
            return group(STATUS);
        }

        /** Header flags as dig prints them, e.g. "qr aa rd". */
        public String flags() {
            return group(FLAGS).trim();
        }

        public boolean hasFlag(String flag) {
            return List.of(flags().split(" ")).contains(flag);
        }

        /** "address/source/scope" of the ECS option in the response. */
        public String clientSubnet() {
            return group(ECS);
        }

        public String nsid() {
            return group(NSID);
        }

        public List<String> answer() {
            return section("ANSWER");
        }

        public List<String> authority() {
            return section("AUTHORITY");
        }

        public List<String> additional() {
            return section("ADDITIONAL");
        }

        /** Records of a section, whitespace collapsed: "name ttl IN type rdata". */
        public List<String> section(String name) {
            List<String> out = new ArrayList<>();
            boolean in = false;
            for (String line : output.split("\n")) {
                if (line.startsWith(";; " + name + " SECTION:")) {
                    in = true;
                } else if (in && (line.isBlank() || line.startsWith(";;"))) {
                    break;
                } else if (in && !line.startsWith(";")) {
                    out.add(line.trim().replaceAll("\\s+", " "));
                }
            }
            return out;
        }

        private String group(Pattern p) {
            Matcher m = p.matcher(output);
            if (!m.find()) {
                throw new AssertionError("no " + p + " in the output of " + command + ":\n" + output);
            }
            return m.group(1);
        }

        @Override
        public String toString() {
            return command + "\n" + output;
        }
    }
}
