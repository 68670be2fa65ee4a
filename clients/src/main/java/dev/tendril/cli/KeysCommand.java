package dev.tendril.cli;

import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.signing.OperatorKeys;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "keys", description = "Makes keys.", subcommands = {KeysCommand.GenOperator.class})
final class KeysCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public void run() {
        cmd.commandLine().usage(cmd.commandLine().getErr());
    }

    @Command(name = "gen-operator", description = "Makes an operator's Ed25519 signing key pair: DIR/NAME.key (secret, "
            + "mode 600: for tendrilctl deploy --operator-key) and DIR/NAME.pub (for the nodes' security.operatorKeys).")
    static final class GenOperator implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "the operator's name (a DNS label), e.g. alice")
        String name;

        @Option(names = "--out", defaultValue = ".", description = "the folder to write to (default: the current one)")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec cmd;

        @Override
        public Integer call() {
            if (!Names.isDnsLabel(name)) {
                cmd.commandLine().getErr().println("--name: got '" + name + "'; allowed: a DNS label, e.g. alice");
                return TendrilCtl.BAD_INPUT;
            }
            try {
                Path secret = OperatorKeys.write(OperatorKeys.generate(), name, out);
                cmd.commandLine().getOut().println("wrote " + secret + " (secret, keep it) and "
                        + out.resolve(name + OperatorKeys.PUBLIC_SUFFIX) + " (give it to the nodes: security.operatorKeys)");
                return TendrilCtl.OK;
            } catch (IOException e) {
                cmd.commandLine().getErr().println("keys gen-operator: " + e.getMessage());
                return TendrilCtl.FAILED;
            }
        }
    }
}
