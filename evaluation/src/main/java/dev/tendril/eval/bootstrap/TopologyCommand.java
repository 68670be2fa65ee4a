package dev.tendril.eval.bootstrap;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "topology", mixinStandardHelpOptions = true, description = "Emulated topologies A-D (see docs/evaluation.md).")
final class TopologyCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}
