package dev.tendril.cli;

import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.Names;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "remove", description = "Removes a service from the node: stops its instance and signs it off the tree.")
final class RemoveCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "the service name")
    String service;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() {
        if (!Names.isDnsLabel(service)) {
            cmd.commandLine().getErr().println("SERVICE: got '" + service + "'; allowed: a DNS label (a-z, 0-9, '-')");
            return TendrilCtl.BAD_INPUT;
        }
        AdminCall.Outcome o = AdminCall.send(node, cmd.commandLine().getErr(), MessageType.ADMIN_REMOVE, service,
                auth -> new AdminMessage.Remove(auth, service));
        if (o instanceof AdminCall.Outcome.Exit e) {
            return e.code();
        }
        AdminMessage.RemoveReply r = (AdminMessage.RemoveReply) ((AdminCall.Outcome.Reply) o).body();
        if (node.json) {
            Json.print(cmd.commandLine().getOut(), r);
        } else {
            (r.outcome().equals("failed") ? cmd.commandLine().getErr() : cmd.commandLine().getOut())
                    .println(r.outcome() + ": " + r.service() + " - " + r.detail());
        }
        return switch (r.outcome()) {
            case "removed" -> TendrilCtl.OK;
            case "not-deployed" -> TendrilCtl.BAD_INPUT;
            default -> TendrilCtl.FAILED;
        };
    }
}
