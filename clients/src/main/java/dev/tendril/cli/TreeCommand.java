package dev.tendril.cli;

import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.message.RootMessage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "tree", description = "Shows the service tree(s) as the root knows them: asked through the node, or the root itself with --root.")
final class TreeCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE", description = "one service (default: all)")
    String service = "";

    @Option(names = "--root", description = "ask a root's control endpoint (host:port; several roots of a replicated "
            + "group comma-separated, the first that answers) directly instead of a node")
    String root;

    @Option(names = "--root-key", defaultValue = "${env:TENDRIL_ROOT_KEY}",
            description = "with --root: the root's CURVE public key, 40 Z85 characters or a .pub file (env TENDRIL_ROOT_KEY)")
    String rootKey;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() {
        if (!service.isEmpty() && !Names.isDnsLabel(service)) {
            cmd.commandLine().getErr().println("SERVICE: got '" + service + "'; allowed: a DNS label");
            return TendrilCtl.BAD_INPUT;
        }
        RootMessage.TreeListing listing;
        if (root != null) {
            RootOptions options = new RootOptions();
            options.root = root;
            options.timeout = node.timeout;
            options.curveKey = node.curveKey;
            options.rootKey = rootKey;
            RootCall.Outcome o = RootCall.send(options, cmd.commandLine().getErr(), service, new RootMessage.TreeQuery(service));
            if (o instanceof RootCall.Outcome.Exit e) {
                return e.code();
            }
            listing = (RootMessage.TreeListing) ((RootCall.Outcome.Reply) o).body();
        } else {
            AdminCall.Outcome o = AdminCall.send(node, cmd.commandLine().getErr(), MessageType.ADMIN_TREE_REQUEST, service,
                    auth -> new AdminMessage.TreeRequest(auth, service));
            if (o instanceof AdminCall.Outcome.Exit e) {
                return e.code();
            }
            listing = (RootMessage.TreeListing) ((AdminCall.Outcome.Reply) o).body();
        }
        if (node.json) {
            Json.print(cmd.commandLine().getOut(), listing.nodes());
        } else {
            print(cmd.commandLine().getOut(), listing.nodes());
        }
        return TendrilCtl.OK;
    }

    /** Prints each tree top-down: {@code service}, then one indented line per node with its parent above it. */
    static void print(PrintWriter out, List<RootMessage.TreeNodeView> nodes) {
        Map<String, List<RootMessage.TreeNodeView>> byService = new TreeMap<>();
        nodes.forEach(n -> byService.computeIfAbsent(n.service(), k -> new ArrayList<>()).add(n));
        if (byService.isEmpty()) {
            out.println("no trees");
        }
        for (var e : byService.entrySet()) {
            out.println(e.getKey());
            List<RootMessage.TreeNodeView> all = e.getValue();
            all.sort(Comparator.comparing(n -> n.node().nodeId()));
            all.stream().filter(n -> n.parentId().isEmpty() || all.stream().noneMatch(p -> p.node().nodeId().equals(n.parentId())))
                    .forEach(top -> printNode(out, top, all, 1));
        }
    }

    private static void printNode(PrintWriter out, RootMessage.TreeNodeView n, List<RootMessage.TreeNodeView> all, int depth) {
        out.println("  ".repeat(depth) + n.node().nodeId() + " " + n.node().address() + " " + n.node().position()
                + (n.live() ? "" : " DOWN") + (n.parentId().isEmpty() ? "" : "  parent " + n.parentId()));
        if (depth > 64) {
            return;
        }
        all.stream().filter(c -> c.parentId().equals(n.node().nodeId())).forEach(c -> printNode(out, c, all, depth + 1));
    }
}
