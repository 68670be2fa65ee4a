package dev.tendril.cli;

import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.spec.Quantities;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "nodes", description = "Lists the platforms of the node's infrastructure DB, nearest first.")
final class NodesCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() {
        AdminCall.Outcome o = AdminCall.send(node, cmd.commandLine().getErr(), MessageType.ADMIN_NODES_QUERY, "",
                AdminMessage.NodesQuery::new);
        if (o instanceof AdminCall.Outcome.Exit e) {
            return e.code();
        }
        AdminMessage.NodesReply r = (AdminMessage.NodesReply) ((AdminCall.Outcome.Reply) o).body();
        PrintWriter out = cmd.commandLine().getOut();
        if (node.json) {
            Json.print(out, r);
            return TendrilCtl.OK;
        }
        out.println(String.format(Locale.ROOT, "%-2s %-16s %-18s %-10s %-10s %-7s %5s %8s %8s %4s", "", "ID", "ADDRESS",
                "LAT", "LON", "ARCH", "CPUS", "RAM", "DISK", "GPUS"));
        for (AdminMessage.PlatformView p : r.platforms()) {
            out.println(String.format(Locale.ROOT, "%-2s %-16s %-18s %-10.4f %-10.4f %-7s %5.1f %8s %8s %4d", p.self() ? "*" : "",
                    p.id(), p.address(), p.latitude(), p.longitude(), p.arch(), p.cpus(), Quantities.formatSize(p.ramBytes()),
                    Quantities.formatSize(p.diskBytes()), p.gpus()));
        }
        return TendrilCtl.OK;
    }
}
