package dev.tendril.eval.bootstrap;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/tendril-eval}: the experiments of docs/evaluation.md, one subcommand each. */
@Command(name = "tendril-eval", mixinStandardHelpOptions = true, subcommands = {ScaleCommand.class, TopologyCommand.class,
        dev.tendril.eval.rootcommit.RootCommitCommand.class},
        description = "Tendril's experiments; each prints its table.")
public final class EvalMain {
    public static void main(String[] args) {
        System.exit(new CommandLine(new EvalMain()).execute(args));
    }
}
