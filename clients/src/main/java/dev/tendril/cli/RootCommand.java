package dev.tendril.cli;

import dev.tendril.protocol.message.RootMessage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code tendrilctl root <subcommand>}: operations on a root itself, through its control endpoint. */
@Command(name = "root", description = "Asks a root about itself (its counters) or has it re-read its GeoIP databases, "
        + "through its control endpoint.",
        subcommands = {RootCommand.Stats.class, RootCommand.Reload.class})
final class RootCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public void run() {
        cmd.commandLine().usage(cmd.commandLine().getOut());
    }

    @Command(name = "stats", description = "Shows the root's DNS counters (queries by transport, responses by code, "
            + "truncated, malformed), its control endpoint's frame counters and its writer's requests and transactions.")
    static final class Stats implements Callable<Integer> {
        @Mixin
        RootOptions root;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec cmd;

        @Override
        public Integer call() {
            RootCall.Outcome o = RootCall.send(root, cmd.commandLine().getErr(), "", new RootMessage.RootStatsQuery());
            if (o instanceof RootCall.Outcome.Exit e) {
                return e.code();
            }
            RootMessage.RootStats stats = (RootMessage.RootStats) ((RootCall.Outcome.Reply) o).body();
            PrintWriter out = cmd.commandLine().getOut();
            if (root.json) {
                Json.print(out, stats);
                return TendrilCtl.OK;
            }
            out.println("root " + stats.rootId());
            stats.counters().forEach(f -> out.println("  " + f.name() + " = " + f.value()));
            return TendrilCtl.OK;
        }
    }

    @Command(name = "reload", description = "Has the root re-read its GeoIP databases without dropping a DNS query, as "
            + "SIGHUP does. A file that cannot be opened refuses the reload: the databases in use stay (exit 1). "
            + "It also re-reads security.serverKey: a new key pair there is served from just after the answer on "
            + "(key rotation; clients then need the new --root-key).")
    static final class Reload implements Callable<Integer> {
        @Mixin
        RootOptions root;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec cmd;

        @Override
        public Integer call() {
            RootCall.Outcome o = RootCall.send(root, cmd.commandLine().getErr(), "", new RootMessage.RootReload());
            if (o instanceof RootCall.Outcome.Exit e) {
                return e.code();
            }
            PrintWriter out = cmd.commandLine().getOut();
            if (root.json) {
                Json.print(out, java.util.Map.of("reloaded", true));
            } else {
                out.println("reloaded: the root answers from the GeoIP databases read now");
            }
            return TendrilCtl.OK;
        }
    }
}
