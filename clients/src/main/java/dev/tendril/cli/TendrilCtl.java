package dev.tendril.cli;

import dev.tendril.protocol.transport.CurveKeyPair;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tendrilctl}: the admin CLI. Each subcommand is its own class; add new ones to the
 * {@code subcommands} list. Exit codes: 0 done, 1 failed or unreachable, 2 bad input
 * (nothing was changed), 3 refused (wrong admin key).
 */
@Command(name = "tendrilctl", mixinStandardHelpOptions = true, version = "tendrilctl 0.1.0",
        description = "Administers Tendril edge nodes and asks roots about trees, answers, migrations and their group.",
        // --help, --version and the exit code list reach every subcommand
        scope = CommandLine.ScopeType.INHERIT, exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed, or no answer from the node or root", "2:bad input; nothing was changed",
            "3:refused (wrong admin key)"},
        subcommands = {DeployCommand.class, RemoveCommand.class, StatsCommand.class, NodesCommand.class, TreeCommand.class,
                ResolveCommand.class, MigrationsCommand.class, EventsCommand.class, RootCommand.class, KeysCommand.class, RootsCommand.class,
                CommandLine.HelpCommand.class})
public final class TendrilCtl implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int REFUSED = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static int run(String... args) {
        return commandLine(args).execute(args);
    }

    /** Runs with the given output streams (for tests and embedding). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return commandLine(args).setOut(out).setErr(err).execute(args);
    }

    /**
     * The command line for these arguments. One CURVE public key in 85 starts with '-', and
     * picocli takes such an argument for an unknown option ("Missing required parameter:
     * 'PUBLIC_KEY'"). No option is 40 characters of Z85, so when an argument is one, dash
     * arguments that match no option are read as parameters; otherwise a mistyped option stays
     * an "Unknown option" error.
     */
    static CommandLine commandLine(String... args) {
        CommandLine line = commandLine();
        if (java.util.Arrays.stream(args).anyMatch(TendrilCtl::dashKey)) {
            line.setUnmatchedOptionsArePositionalParams(true);
        }
        return line;
    }

    private static boolean dashKey(String arg) {
        return arg.startsWith("-") && CurveKeyPair.isZ85Key(arg);
    }

    /** The command line of this launcher (for tests, completion and man pages). */
    public static CommandLine commandLine() {
        return new CommandLine(new TendrilCtl());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
