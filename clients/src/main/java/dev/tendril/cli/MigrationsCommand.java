package dev.tendril.cli;

import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.message.RootMessage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

/** Lists the live migration records of the root: which clients are answered with which instance, until when. */
@Command(name = "migrations", description = "Lists the root's live migration records (clients redirected to an instance).")
final class MigrationsCommand implements Callable<Integer> {
    @Mixin
    RootOptions root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE", description = "one service (default: all)")
    String service = "";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() {
        PrintWriter err = cmd.commandLine().getErr();
        if (!service.isEmpty() && !Names.isDnsLabel(service)) {
            err.println("SERVICE: got '" + service + "'; allowed: a DNS label");
            return TendrilCtl.BAD_INPUT;
        }
        RootCall.Outcome o = RootCall.send(root, err, service, new RootMessage.MigrationsQuery(service));
        if (o instanceof RootCall.Outcome.Exit e) {
            return e.code();
        }
        List<RootMessage.MigrationView> migrations = ((RootMessage.MigrationListing) ((RootCall.Outcome.Reply) o).body()).migrations();
        PrintWriter out = cmd.commandLine().getOut();
        if (root.json) {
            Json.print(out, migrations);
        } else {
            print(out, migrations);
        }
        return TendrilCtl.OK;
    }

    static void print(PrintWriter out, List<RootMessage.MigrationView> migrations) {
        if (migrations.isEmpty()) {
            out.println("no migrations");
            return;
        }
        out.printf("%-16s %-43s %-20s %-24s %s%n", "SERVICE", "CLIENTS", "TARGET", "CREATED", "EXPIRES");
        migrations.stream()
                .sorted(Comparator.comparing(RootMessage.MigrationView::service).thenComparing(RootMessage.MigrationView::client))
                .forEach(m -> out.printf("%-16s %-43s %-20s %-24s %s%n", m.service(), m.client(), m.targetNodeId(),
                        Instant.ofEpochMilli(m.createdAtMillis()), Instant.ofEpochMilli(m.expiresAtMillis())));
    }
}
