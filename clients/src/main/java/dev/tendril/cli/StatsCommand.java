package dev.tendril.cli;

import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.MessageType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;

@Command(name = "stats", description = "Shows the node's hardware, deployments, latency probe status and socket counters.")
final class StatsCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() {
        AdminCall.Outcome o = AdminCall.send(node, cmd.commandLine().getErr(), MessageType.ADMIN_STATS_QUERY, "",
                AdminMessage.StatsQuery::new);
        if (o instanceof AdminCall.Outcome.Exit e) {
            return e.code();
        }
        AdminMessage.StatsReply s = (AdminMessage.StatsReply) ((AdminCall.Outcome.Reply) o).body();
        PrintWriter out = cmd.commandLine().getOut();
        if (node.json) {
            Json.print(out, s);
            return TendrilCtl.OK;
        }
        out.println("node " + s.nodeId() + " (runtime " + s.runtime() + ")");
        out.println("hardware:");
        s.hardware().forEach(f -> out.println("  " + f.name() + " = " + f.value()));
        out.println("gpus: " + (s.gpus().isEmpty() ? "none" : ""));
        s.gpus().forEach(g -> out.println("  " + g));
        out.println("deployments: " + (s.deployments().isEmpty() ? "none" : ""));
        for (AdminMessage.DeploymentView d : s.deployments()) {
            out.println("  " + d.service() + "  instance " + DeployCommand.shortId(d.instanceId()) + "  image " + d.image()
                    + "  " + (d.running() ? "running" : "stopped") + (d.adopted() ? " (adopted)" : "")
                    + "  " + (d.registered() ? "parent " + (d.parentId().isEmpty() ? "(top)" : d.parentId()) : "not registered")
                    + "  children " + d.childIds() + "  since " + Instant.ofEpochMilli(d.sinceMillis())
                    + (d.health().isEmpty() ? "" : "  health " + d.health()));
        }
        out.println("latency probe: " + s.latencyProbe());
        out.println("counters:");
        s.counters().forEach(f -> out.println("  " + f.name() + " = " + f.value()));
        return TendrilCtl.OK;
    }
}
