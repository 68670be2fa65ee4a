package dev.tendril.cli.load;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Load generator for the root control endpoint, used by the benchmarks: registers many
 * instances through the real control path, and fires migration records at a root while
 * DNS is under load. Not an operator tool: see {@code tendrilctl} for that.
 */
@Command(name = "tendril-load", mixinStandardHelpOptions = true, version = "tendril-load 0.1.0",
        scope = CommandLine.ScopeType.INHERIT, // --version on every subcommand too
        subcommands = {RegisterInstances.class, FireMigrations.class, ChurnLoad.class},
        description = "Load generator for the Tendril root control endpoint (benchmarks).")
public final class TendrilLoad implements Runnable {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line of this launcher (for tests, completion and man pages). */
    public static CommandLine commandLine() {
        return new CommandLine(new TendrilLoad());
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
