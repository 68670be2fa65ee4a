package dev.tendril.edge.bootstrap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** An ordinary start's arguments are read without picocli, to the same fields picocli reads them to; the rest go to picocli. */
class EdgeNodeMainTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"--config edge.yaml", "-c edge.yaml", "--config=edge.yaml", "edge.yaml",
        "--config edge.yaml --check", "--check --config /etc/tendril/edge.yaml", "edge.yaml --check", "--check edge.yaml",
        "-c a.yaml b.yaml", "", "--check"})
    void plainArgumentsReadAsPicocliReadsThem(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        EdgeNodeMain plain = EdgeNodeMain.plainArguments(args);
        assertNotNull(plain, line);
        EdgeNodeMain picocli = (EdgeNodeMain) parsed(args);
        assertEquals(fields(picocli), fields(plain), line);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"--help", "-h", "--version", "-V", "--config", "--config edge.yaml --config other.yaml",
        "--check --check", "a.yaml b.yaml", "--conf edge.yaml", "-cedge.yaml", "--config -x", "@args.txt", "--",
        "--config edge.yaml --verbose"})
    void everythingElseGoesToPicocli(String line) {
        assertNull(EdgeNodeMain.plainArguments(line.split(" ")), line);
    }

    private static Object parsed(String... args) {
        CommandLine cl = EdgeNodeMain.commandLine();
        cl.parseArgs(args);
        return cl.getCommand();
    }

    private static String fields(EdgeNodeMain m) {
        return Objects.toString(m.config) + "|" + m.configArgument + "|" + m.checkOnly;
    }
}
