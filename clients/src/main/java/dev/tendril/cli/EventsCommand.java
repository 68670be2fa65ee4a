package dev.tendril.cli;

import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.MessageType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code tendrilctl events}: the node's self-organization events and the timings computed from them. */
@Command(name = "events", description = "Lists the node's self-organization events (decisions, migrations, replicas, "
        + "terminations) and time-to-migrate / time-to-replicate percentiles.")
final class EventsCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Option(names = "--service", defaultValue = "", description = "only this service's events")
    String service;

    @Option(names = "--after", defaultValue = "0", description = "only events after this sequence number")
    long after;

    @Option(names = "--limit", defaultValue = "1000", description = "at most this many events (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--kind", defaultValue = "", description = "only events of this kind, e.g. MIGRATION_RECORDED")
    String kind;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() {
        PrintWriter err = cmd.commandLine().getErr();
        if (!service.isEmpty() && !dev.tendril.protocol.message.Names.isDnsLabel(service)) {
            err.println("--service: got '" + service + "'; allowed: a service name (a DNS label)");
            return TendrilCtl.BAD_INPUT;
        }
        if (after < 0 || limit < 1) {
            err.println("--after must be >= 0 and --limit >= 1, got " + after + " and " + limit);
            return TendrilCtl.BAD_INPUT;
        }
        String payload = service + "\n" + after + "\n" + limit;
        AdminCall.Outcome o = AdminCall.send(node, err, MessageType.ADMIN_EVENTS_QUERY, payload,
                auth -> new AdminMessage.EventsQuery(auth, service, after, limit));
        if (o instanceof AdminCall.Outcome.Exit e) {
            return e.code();
        }
        AdminMessage.EventsReply r = (AdminMessage.EventsReply) ((AdminCall.Outcome.Reply) o).body();
        PrintWriter out = cmd.commandLine().getOut();
        if (node.json) {
            Json.print(out, new AdminMessage.EventsReply(r.nodeId(), r.events().stream()
                    .filter(e -> kind.isEmpty() || e.kind().equalsIgnoreCase(kind)).toList(), r.timings()));
            return TendrilCtl.OK;
        }
        int shown = 0;
        for (AdminMessage.EventView e : r.events()) {
            if (!kind.isEmpty() && !e.kind().equalsIgnoreCase(kind)) {
                continue;
            }
            shown++;
            out.println(e.seq() + "  " + Instant.ofEpochMilli(e.atMillis()) + "  " + e.nodeId() + "  " + e.service() + "  "
                    + e.kind() + (e.correlationId().isEmpty() ? "" : "  [" + e.correlationId() + "]") + "  " + e.detail()
                    + (e.containerStartMillis() >= 0 ? "  (container start " + e.containerStartMillis() + " ms)" : ""));
        }
        out.println(shown + " event(s) from " + r.nodeId());
        r.timings().forEach(f -> out.println(f.name() + " = " + f.value()));
        return TendrilCtl.OK;
    }
}
