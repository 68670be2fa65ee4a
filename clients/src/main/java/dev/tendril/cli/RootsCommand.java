package dev.tendril.cli;

import dev.tendril.protocol.message.LeaderHint;
import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ChangeRoots;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.RootMember;
import dev.tendril.protocol.message.RootMessage.RootsQuery;
import dev.tendril.protocol.message.RootMessage.RootsStatus;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.LeaderFollower;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * The roots' own group (replicated roots, Raft): {@code tendrilctl roots} lists every root
 * with its role, term, commit and applied index and lag behind the leader, each asked
 * directly; {@code roots add} and {@code roots remove} change the members (sent to the leader).
 */
@Command(name = "roots", description = "Lists the roots of the replicated group (role, commit and applied index, lag); "
        + "'roots add' / 'roots remove' change its members.",
        subcommands = {RootsCommand.Add.class, RootsCommand.Remove.class})
final class RootsCommand implements Callable<Integer> {
    /** One row: a member and what it said of itself (null: it did not answer). */
    record Row(RootMember member, RootsStatus status, long lag) {
    }

    /** How long one root may take to answer a change of the members (a new member may first catch up). */
    static final Duration CHANGE_WAIT = Duration.ofSeconds(40);

    @Mixin
    RootOptions root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() {
        PrintWriter err = cmd.commandLine().getErr();
        RootCall.Outcome o = RootCall.send(root, err, "", new RootsQuery());
        if (o instanceof RootCall.Outcome.Exit e) {
            return e.code();
        }
        RootCall.Outcome.Reply reply = (RootCall.Outcome.Reply) o;
        List<Row> rows = rows((RootsStatus) reply.body(), reply.listed(), reply.answeredBy(), root.timeout());
        PrintWriter out = cmd.commandLine().getOut();
        if (root.json) {
            Json.print(out, rows);
        } else {
            print(out, rows);
        }
        return TendrilCtl.OK;
    }

    /**
     * Asks every other member for its own status, all at once, each with the CURVE settings of
     * its {@code --root} listing or else those of the root that answered (a group shares its
     * server key), each within {@code timeout} divided by the members (a member down costs that
     * once, not once per member); lag = the highest commit index seen minus the
     * member's applied index.
     */
    static List<Row> rows(RootsStatus asked, List<ClientOptions> listed, ClientOptions answeredBy, Duration timeout) {
        Map<String, CompletableFuture<RequestResult>> asking = new LinkedHashMap<>();
        Map<String, RootsStatus> answers = new LinkedHashMap<>();
        Duration each = timeout.dividedBy(Math.max(1, asked.members().size()));
        try (PipelinedClient client = new PipelinedClient("tendrilctl-roots")) {
            for (RootMember m : asked.members()) {
                if (!m.id().equals(asked.rootId()) && !m.control().isEmpty()) {
                    ClientOptions member = LeaderFollower.listingFor(listed, "tcp://" + m.control(), answeredBy)
                            .withRetries(each.dividedBy(2).plusMillis(1), 2);
                    asking.put(m.id(), client.submit(member, RootCall.envelope("", new RootsQuery())));
                }
            }
            for (RootMember m : asked.members()) {
                CompletableFuture<RequestResult> f = asking.get(m.id());
                RequestResult got = f == null ? null : f.handle((r, e) -> e == null ? r : null).join(); // failed: shown DOWN
                RootsStatus s = m.id().equals(asked.rootId()) ? asked
                        : got instanceof RequestResult.Reply r && r.envelope().body() instanceof RootsStatus rs ? rs : null;
                answers.put(m.id(), s);
            }
        }
        long commit = answers.values().stream().filter(s -> s != null).mapToLong(RootsStatus::commitIndex).max().orElse(-1);
        List<Row> rows = new ArrayList<>();
        for (RootMember m : asked.members()) {
            RootsStatus s = answers.get(m.id());
            rows.add(new Row(m, s, s == null ? -1 : Math.max(0, commit - s.appliedIndex())));
        }
        return rows;
    }

    static void print(PrintWriter out, List<Row> rows) {
        out.printf("%-10s %-10s %6s %10s %10s %6s %-22s %s%n", "ROOT", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG", "RAFT", "CONTROL");
        for (Row r : rows) {
            RootsStatus s = r.status();
            if (s == null) {
                out.printf("%-10s %-10s %6s %10s %10s %6s %-22s %s%n", r.member().id(), "DOWN", "-", "-", "-", "-",
                        r.member().raft(), r.member().control());
            } else {
                out.printf("%-10s %-10s %6d %10d %10d %6d %-22s %s%n", r.member().id(), s.role(), s.term(), s.commitIndex(),
                        s.appliedIndex(), r.lag(), r.member().raft(), r.member().control());
            }
        }
    }

    /**
     * Sends the new member list to the leader (following NOT_LEADER once or twice), each root
     * asked with the CURVE settings of its {@code --root} listing or else those of the root that
     * answered the status; one attempt of up to 40 s each (a new member may first catch up).
     */
    static int change(PrintWriter out, PrintWriter err, RootCall.Outcome.Reply asked, List<RootMember> members) {
        ClientOptions target = asked.answeredBy();
        for (int hops = 0; hops < 3; hops++) {
            RootMessage reply = RootCall.ask(target.withRetries(CHANGE_WAIT, 1), new ChangeRoots(members));
            if (reply == null) {
                err.println("no answer from the root at " + target.endpoint());
                return TendrilCtl.FAILED;
            }
            Optional<String> leader = LeaderHint.leaderOf(reply);
            if (leader.isPresent()) {
                target = LeaderFollower.listingFor(asked.listed(), leader.get(), target);
                continue;
            }
            if (reply instanceof ErrorReply e) {
                err.println("root " + target.endpoint().replaceFirst("^tcp://", "") + " refused: " + e.code() + ": " + e.message());
                return TendrilCtl.exitCode(e);
            }
            out.println("the group's members are now " + members.stream().map(RootMember::id).toList());
            return TendrilCtl.OK;
        }
        err.println("no leader answered (an election may be under way; try again)");
        return TendrilCtl.FAILED;
    }

    /** The group's status as one root of {@code --root} answered it, with that root's listing; null after printing why not. */
    static RootCall.Outcome.Reply status(RootOptions root, PrintWriter err) {
        RootCall.Outcome o = RootCall.send(root, err, "", new RootsQuery());
        return o instanceof RootCall.Outcome.Reply r ? r : null;
    }

    @Command(name = "add", description = "Adds a root to the group. Start it first, with every member (itself included) "
            + "in its cluster.peers.")
    static final class Add implements Callable<Integer> {
        @Mixin
        RootOptions root;

        @Parameters(index = "0", paramLabel = "ID", description = "the new root's peer id (cluster.id)")
        String id;

        @Option(names = "--raft", required = true, description = "host:port of its Raft transport")
        String raft;

        @Option(names = "--control", required = true, description = "host:port of its control endpoint")
        String control;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec cmd;

        @Override
        public Integer call() {
            PrintWriter err = cmd.commandLine().getErr();
            if (!Names.isDnsLabel(id) || HostPort.endpoint(raft) == null || HostPort.endpoint(control) == null) {
                err.println("roots add: got id '" + id + "', --raft '" + raft + "', --control '" + control
                        + "'; allowed: a DNS label and two host:port");
                return TendrilCtl.BAD_INPUT;
            }
            RootCall.Outcome.Reply asked = status(root, err);
            if (asked == null) {
                return TendrilCtl.FAILED;
            }
            RootsStatus s = (RootsStatus) asked.body();
            if (s.members().stream().anyMatch(m -> m.id().equals(id))) {
                err.println("roots add: '" + id + "' is a member already");
                return TendrilCtl.BAD_INPUT;
            }
            List<RootMember> members = new ArrayList<>(s.members());
            members.add(new RootMember(id, raft, control, -1));
            return change(cmd.commandLine().getOut(), err, asked, members);
        }
    }

    @Command(name = "remove", description = "Removes a root from the group (stop it afterwards).")
    static final class Remove implements Callable<Integer> {
        @Mixin
        RootOptions root;

        @Parameters(index = "0", paramLabel = "ID", description = "the root's peer id")
        String id;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec cmd;

        @Override
        public Integer call() {
            PrintWriter err = cmd.commandLine().getErr();
            RootCall.Outcome.Reply asked = status(root, err);
            if (asked == null) {
                return TendrilCtl.FAILED;
            }
            RootsStatus s = (RootsStatus) asked.body();
            List<RootMember> members = s.members().stream().filter(m -> !m.id().equals(id)).toList();
            if (members.size() == s.members().size()) {
                err.println("roots remove: '" + id + "' is not a member; members: "
                        + s.members().stream().map(RootMember::id).toList());
                return TendrilCtl.BAD_INPUT;
            }
            if (members.isEmpty()) {
                err.println("roots remove: the last root cannot be removed");
                return TendrilCtl.BAD_INPUT;
            }
            return change(cmd.commandLine().getOut(), err, asked, members);
        }
    }
}
