package dev.tendril.cli;

import dev.tendril.protocol.transport.CurveKeyPair;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tendrilctl}: the admin CLI. Each subcommand is its own class; add new ones to the
 * {@code subcommands} list. Exit codes: 0 done, 1 failed or unreachable, 2 bad input
 * (nothing was changed), 3 refused (wrong admin key, or a key the root or node refused).
 */
@Command(name = "tendrilctl", mixinStandardHelpOptions = true, version = "tendrilctl 0.1.0",
        description = "Administers Tendril edge nodes and asks roots about trees, answers, migrations and their group.",
        // --help, --version and the exit code list reach every subcommand
        scope = CommandLine.ScopeType.INHERIT, exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed, or no answer from the node or root", "2:bad input; nothing was changed",
            "3:refused (wrong admin key, or a key the root or node refused: FORBIDDEN, UNAUTHENTICATED)"},
        subcommands = {DeployCommand.class, RemoveCommand.class, StatsCommand.class, NodesCommand.class, TreeCommand.class,
                ResolveCommand.class, MigrationsCommand.class, EventsCommand.class, RootCommand.class, KeysCommand.class, RootsCommand.class,
                CommandLine.HelpCommand.class})
public final class TendrilCtl implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int REFUSED = 3;

    /**
     * The exit code of an error reply: a refusal of the caller's credentials (a wrong admin key,
     * {@code UNAUTHORIZED}; a key the root or node refused, {@code FORBIDDEN},
     * {@code UNAUTHENTICATED}) is {@link #REFUSED}, any other error {@link #FAILED}.
     */
    static int exitCode(dev.tendril.protocol.message.RootMessage.ErrorReply e) {
        return switch (e.code()) {
            case "UNAUTHORIZED", "FORBIDDEN", "UNAUTHENTICATED" -> REFUSED;
            default -> FAILED;
        };
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static int run(String... args) {
        return execute(commandLine(), args);
    }

    /** Runs with the given output streams (for tests and embedding). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return execute(commandLine().setOut(out).setErr(err), args);
    }

    private static int execute(CommandLine line, String... args) {
        String[] given = keysAsParameters(line, args);
        // a key joined to its option ("--root-key=-hX...") looks like an option to picocli, which
        // refuses such a value, even joined with '=', unless told
        line.setAllowOptionsAsOptionParameters(given != args);
        return line.execute(given);
    }

    /**
     * The arguments, with every CURVE public key that starts with '-' made unmistakable for an
     * option. One Z85 key in 85 does, and picocli took "-Xy..." for an unknown option ("Missing
     * required parameter: 'PUBLIC_KEY'"), and "-hX..." or "-VX..." for help or version: exit 0,
     * nothing enrolled. A key (or comma-separated list of keys) that is the value of the option
     * before it ({@code --root-key KEY}) is joined to it ({@code --root-key=KEY}: picocli splits
     * at the first '='); any other goes last, after {@code --} (a key is the last parameter of
     * every command that takes one). Everything else is passed as given, so a mistyped option is
     * still an error. Returns {@code args} itself when it holds no such key.
     */
    static String[] keysAsParameters(CommandLine line, String... args) {
        if (java.util.Arrays.stream(args).noneMatch(TendrilCtl::dashKeys)) {
            return args;
        }
        java.util.Set<String> takingValues = optionsTakingValues(line, new java.util.HashSet<>());
        java.util.List<String> out = new java.util.ArrayList<>();
        java.util.List<String> keys = new java.util.ArrayList<>();
        boolean endOfOptions = false;
        for (String arg : args) {
            if (!endOfOptions && dashKeys(arg)) {
                int last = out.size() - 1;
                if (last >= 0 && takingValues.contains(out.get(last))) {
                    out.set(last, out.get(last) + "=" + arg);
                } else {
                    keys.add(arg);
                }
                continue;
            }
            endOfOptions |= arg.equals("--");
            out.add(arg);
        }
        if (!keys.isEmpty()) {
            if (!endOfOptions) {
                out.add("--");
            }
            out.addAll(keys);
        }
        return out.toArray(String[]::new);
    }

    /**
     * Whether {@code arg} starts with '-' and is a key, or comma-separated keys, of 40 Z85
     * characters; spaces around a comma are allowed, as the options that take lists allow them.
     */
    private static boolean dashKeys(String arg) {
        return arg.startsWith("-")
                && java.util.Arrays.stream(arg.split(",", -1)).map(String::strip).allMatch(CurveKeyPair::isZ85Key);
    }

    /** The names of every option of the command and its subcommands that takes a value. */
    private static java.util.Set<String> optionsTakingValues(CommandLine line, java.util.Set<String> names) {
        for (CommandLine.Model.OptionSpec o : line.getCommandSpec().options()) {
            if (o.arity().max() > 0) {
                names.addAll(java.util.List.of(o.names()));
            }
        }
        for (CommandLine sub : line.getSubcommands().values()) {
            optionsTakingValues(sub, names);
        }
        return names;
    }

    /** The command line of this launcher (for tests, completion and man pages). */
    public static CommandLine commandLine() {
        return new CommandLine(new TendrilCtl());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
