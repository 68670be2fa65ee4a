package dev.tendril.cli;

import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.net.Cidr;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Asks the root which instance(s) DNS answers a client with, and why. */
@Command(name = "resolve", description = "Shows which instance the root answers a client with for a service, and why.")
final class ResolveCommand implements Callable<Integer> {
    @Mixin
    RootOptions root;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "the service (a DNS label)")
    String service;

    @Option(names = "--client", required = true, description = "the client's address or subnet, e.g. 198.18.0.7 or 198.18.0.0/24")
    String client;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() {
        PrintWriter err = cmd.commandLine().getErr();
        if (!Names.isDnsLabel(service)) {
            err.println("SERVICE: got '" + service + "'; allowed: a DNS label");
            return TendrilCtl.BAD_INPUT;
        }
        try {
            Cidr.parse(client);
        } catch (IllegalArgumentException e) {
            err.println("--client: " + e.getMessage());
            return TendrilCtl.BAD_INPUT;
        }
        RootCall.Outcome o = RootCall.send(root, err, service, new RootMessage.ResolveQuery(service, client));
        if (o instanceof RootCall.Outcome.Exit e) {
            return e.code();
        }
        RootMessage.ResolveAnswer answer = (RootMessage.ResolveAnswer) ((RootCall.Outcome.Reply) o).body();
        PrintWriter out = cmd.commandLine().getOut();
        if (root.json) {
            Json.print(out, answer);
        } else {
            print(out, answer);
        }
        return TendrilCtl.OK;
    }

    static void print(PrintWriter out, RootMessage.ResolveAnswer answer) {
        out.println(answer.service() + " for " + answer.client() + ": " + answer.basis());
        if (answer.instances().isEmpty()) {
            out.println("  (no instance)");
            return;
        }
        out.printf("  %-20s %-39s %s%n", "NODE", "ADDRESS", "POSITION");
        for (NodeInfo n : answer.instances()) {
            out.printf("  %-20s %-39s %s%n", n.nodeId(), n.address(), n.position());
        }
    }
}
