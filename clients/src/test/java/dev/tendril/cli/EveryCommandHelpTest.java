package dev.tendril.cli;

import dev.tendril.cli.load.TendrilLoad;
import dev.tendril.edge.bootstrap.EdgeNodeMain;
import dev.tendril.geoip.bootstrap.CompileMain;
import dev.tendril.geoip.bootstrap.LookupMain;
import dev.tendril.root.bootstrap.RootMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walks the picocli command tree of every launcher in bin/ (tendrilctl, tendril-load,
 * tendril-root, tendril-edge, tendril-geoip-compile, tendril-geoip-lookup): {@code --help}
 * and {@code --version} exit 0 on every command and subcommand, help lists the exit codes,
 * {@code tendrilctl help <cmd>} prints the command's help, and every tendrilctl command that
 * prints a reply takes {@code --json}.
 */
class EveryCommandHelpTest {
    private static final Map<String, Supplier<CommandLine>> LAUNCHERS = new LinkedHashMap<>();

    static {
        LAUNCHERS.put("tendrilctl", TendrilCtl::commandLine);
        LAUNCHERS.put("tendril-load", TendrilLoad::commandLine);
        LAUNCHERS.put("tendril-root", RootMain::commandLine);
        LAUNCHERS.put("tendril-edge", EdgeNodeMain::commandLine);
        LAUNCHERS.put("tendril-geoip-compile", CompileMain::commandLine);
        LAUNCHERS.put("tendril-geoip-lookup", LookupMain::commandLine);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(Supplier<CommandLine> launcher, List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = launcher.get().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    /** Every command path under a launcher: [], [deploy], [help], ... (any depth). */
    private static List<List<String>> paths(CommandLine cl, List<String> prefix) {
        List<List<String>> out = new ArrayList<>();
        out.add(prefix);
        cl.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandSpec().name().equals(name)) { // aliases once
                List<String> p = new ArrayList<>(prefix);
                p.add(name);
                out.addAll(paths(sub, p));
            }
        });
        return out;
    }

    @Test
    void helpAndVersionExitZeroOnEveryCommandOfEveryLauncher() {
        int walked = 0;
        for (var launcher : LAUNCHERS.entrySet()) {
            for (List<String> path : paths(launcher.getValue().get(), List.of())) {
                String what = launcher.getKey() + " " + String.join(" ", path);
                List<String> help = new ArrayList<>(path);
                help.add("--help");
                Run h = run(launcher.getValue(), help);
                assertEquals(0, h.code(), what + " --help: " + h.err());
                assertTrue(h.out().contains("Usage: " + launcher.getKey()), what + " --help printed: " + h.out());
                boolean helpCommand = !path.isEmpty() && path.get(path.size() - 1).equals("help"); // picocli's, has no -V
                if (!helpCommand) {
                    List<String> version = new ArrayList<>(path);
                    version.add("--version");
                    Run v = run(launcher.getValue(), version);
                    assertEquals(0, v.code(), what + " --version: " + v.err());
                    assertTrue(v.out().startsWith(launcher.getKey() + " 0."), what + " --version printed: " + v.out());
                }
                if (!launcher.getKey().equals("tendril-load")) { // a benchmark tool, not for operators
                    assertTrue(h.out().contains("Exit codes:"), what + " --help lists no exit codes: " + h.out());
                }
                walked++;
            }
        }
        assertTrue(walked >= 18, "walked " + walked + " commands");
    }

    @Test
    void helpCommandPrintsEachCommandsHelp() {
        CommandLine ctl = TendrilCtl.commandLine();
        for (String name : ctl.getSubcommands().keySet()) {
            Run viaHelp = run(TendrilCtl::commandLine, List.of("help", name));
            Run viaOption = run(TendrilCtl::commandLine, List.of(name, "--help"));
            assertEquals(0, viaHelp.code(), "help " + name + ": " + viaHelp.err());
            assertEquals(viaOption.out(), viaHelp.out(), "help " + name);
        }
    }

    @Test
    void everyTendrilctlCommandTakesJson() {
        for (List<String> path : paths(TendrilCtl.commandLine(), List.of())) {
            CommandLine cl = TendrilCtl.commandLine();
            for (String p : path) {
                cl = cl.getSubcommands().get(p);
            }
            boolean leaf = cl.getSubcommands().isEmpty();
            if (leaf && !path.isEmpty() && !path.get(path.size() - 1).equals("help")) {
                assertFalse(cl.getCommandSpec().findOption("--json") == null, "tendrilctl " + path + " has no --json");
            }
        }
    }
}
