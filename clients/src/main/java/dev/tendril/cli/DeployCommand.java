package dev.tendril.cli;

import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.signing.OperatorKeys;
import dev.tendril.protocol.signing.SignedSpec;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.StrictYaml;
import dev.tendril.protocol.spec.Validated;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "deploy", description = "Deploys a service spec (YAML) on the node: validated here and on the node; nothing is deployed on bad input.")
final class DeployCommand implements Callable<Integer> {
    @Mixin
    NodeOptions node;

    @Parameters(index = "0", paramLabel = "SPEC", description = "the deployment spec file (YAML)")
    Path specFile;

    @CommandLine.Option(names = "--operator-key", defaultValue = "${env:TENDRIL_OPERATOR_KEY}",
            description = "the operator's secret signing key (NAME.sign.key from 'tendrilctl keys gen-operator'); the spec is "
                    + "signed with it as NAME. Nodes with security.signingKeys run only signed specs (env TENDRIL_OPERATOR_KEY)")
    Path operatorKey;

    @CommandLine.Option(names = "--operator", description = "the signer's name (default: the key file's name without .key)")
    String operator;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public Integer call() {
        PrintWriter out = cmd.commandLine().getOut();
        PrintWriter err = cmd.commandLine().getErr();
        String text;
        try {
            text = StrictYaml.readFile(specFile, SpecFile.MAX_SPEC_BYTES);
        } catch (IOException e) {
            err.println("SPEC: cannot read " + specFile + ": " + e.getMessage());
            return TendrilCtl.BAD_INPUT;
        } catch (IllegalArgumentException e) {
            err.println("SPEC: " + e.getMessage() + " (a node refuses specs over its security.maxSpecBytes, 256 KiB by default);"
                    + " nothing was deployed");
            return TendrilCtl.BAD_INPUT;
        }
        Validated<DeploymentSpec> spec = SpecFile.validate(text);
        if (spec instanceof Validated.Invalid<DeploymentSpec> invalid) {
            err.println(specFile + " is not a valid deployment spec; nothing was deployed:");
            invalid.problems().forEach(p -> err.println("  " + p));
            return TendrilCtl.BAD_INPUT;
        }
        if (operatorKey != null) {
            try {
                String name = operator != null ? operator : OperatorKeys.nameOf(operatorKey);
                text = SignedSpec.sign(text, name, OperatorKeys.readSecret(operatorKey));
            } catch (IOException | IllegalArgumentException e) {
                err.println("--operator-key: " + e.getMessage() + "; nothing was deployed");
                return TendrilCtl.BAD_INPUT;
            }
        }
        String sent = text;
        AdminCall.Outcome o = AdminCall.send(node, err, MessageType.ADMIN_DEPLOY, sent, auth -> new AdminMessage.Deploy(auth, sent));
        if (o instanceof AdminCall.Outcome.Exit e) {
            return e.code();
        }
        AdminMessage.DeployReply r = (AdminMessage.DeployReply) ((AdminCall.Outcome.Reply) o).body();
        if (node.json) {
            Json.print(out, r);
            return switch (r.outcome()) {
                case "deployed", "already-deployed" -> TendrilCtl.OK;
                case "rejected" -> TendrilCtl.BAD_INPUT;
                default -> TendrilCtl.FAILED;
            };
        }
        switch (r.outcome()) {
            case "deployed", "already-deployed" -> {
                out.println(r.outcome() + ": " + r.service() + " (instance " + shortId(r.instanceId()) + ") - " + r.detail());
                return TendrilCtl.OK;
            }
            case "rejected" -> {
                err.println("rejected by " + node.node + "; nothing was deployed:");
                r.problems().forEach(p -> err.println("  " + p));
                return TendrilCtl.BAD_INPUT;
            }
            default -> {
                err.println(r.outcome() + ": " + String.join("; ", r.problems()) + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")"));
                return TendrilCtl.FAILED;
            }
        }
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
