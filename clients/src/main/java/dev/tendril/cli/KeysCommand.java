package dev.tendril.cli;

import dev.tendril.protocol.keys.CurveKeyFiles;
import dev.tendril.protocol.keys.KeyFileException;
import dev.tendril.protocol.keys.SigningKeyFiles;
import dev.tendril.protocol.keys.TlsKeyFiles;
import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.transport.CurveKeyPair;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code tendrilctl keys}: makes CURVE key pairs and operator signing keys, and enrols,
 * revokes and lists keys at a root (see docs/security.md).
 */
@Command(name = "keys", description = "Makes CURVE and signing keys; enrols, revokes and lists keys at a root.",
        subcommands = {KeysCommand.Gen.class, KeysCommand.GenOperator.class, KeysCommand.GenTls.class, KeysCommand.Enrol.class,
                KeysCommand.Revoke.class, KeysCommand.ListKeys.class})
final class KeysCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec cmd;

    @Override
    public void run() {
        cmd.commandLine().usage(cmd.commandLine().getOut());
    }

    static boolean badName(String name, PrintWriter err) {
        if (!Names.isDnsLabel(name)) {
            err.println("--name: got '" + name + "'; allowed: a DNS label (the platform id or operator name)");
            return true;
        }
        return false;
    }

    /**
     * What {@code keys gen} and {@code keys gen-operator} share: {@code --out}, {@code --json},
     * the CURVE pair, checking the name, writing and printing. Each sets {@link #name} through
     * its own {@code --name} (the help says whose name it is).
     */
    abstract static class KeyGen implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "the folder to write to (created when absent)")
        Path out;

        @Option(names = "--json", description = "print the files written and the CURVE public key as JSON")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec cmd;

        String name;

        /** Writes the key files; returns what was written. */
        abstract Written write() throws IOException;

        /** The text line printed without --json. */
        abstract String text(Written w);

        /** Writes {@code <name>.key} and {@code <name>.pub}; no signing files. */
        Written curvePair() throws IOException {
            CurveKeyPair keys = CurveKeyFiles.generate(out, name);
            return new Written(name, CurveKeyFiles.secretFile(out, name).toString(),
                    CurveKeyFiles.publicFile(out, name).toString(), keys.publicKey(), null, null);
        }

        @Override
        public Integer call() {
            PrintWriter err = cmd.commandLine().getErr();
            if (badName(name, err)) {
                return TendrilCtl.BAD_INPUT;
            }
            try {
                Written w = write();
                if (json) {
                    Json.print(cmd.commandLine().getOut(), w);
                } else {
                    cmd.commandLine().getOut().println(text(w));
                }
                return TendrilCtl.OK;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                err.println("cannot write the keys: " + e.getMessage()); // nothing written: bad input, as the exit codes say
                return TendrilCtl.BAD_INPUT;
            } catch (IOException e) {
                err.println("cannot write the keys: " + e.getMessage());
                return TendrilCtl.FAILED;
            }
        }
    }

    @Command(name = "gen", description = "Writes a CURVE key pair: <name>.key (secret, mode 0600) and <name>.pub.")
    static final class Gen extends KeyGen {
        @Option(names = "--name", required = true, description = "the platform id, root id or operator name")
        void name(String name) {
            this.name = name;
        }

        @Override
        Written write() throws IOException {
            return curvePair();
        }

        @Override
        String text(Written w) {
            return "wrote " + w.secretKeyFile() + " (secret) and " + w.publicKeyFile() + "; public key " + w.publicKey();
        }
    }

    @Command(name = "gen-operator", description = "Writes an operator's CURVE key pair (<name>.key, <name>.pub) and "
            + "Ed25519 signing key pair (<name>.sign.key PKCS#8, <name>.sign.pub X.509; base64).")
    static final class GenOperator extends KeyGen {
        @Option(names = "--name", required = true, description = "the operator's name")
        void name(String name) {
            this.name = name;
        }

        @Override
        Written write() throws IOException {
            Written curve = curvePair();
            SigningKeyFiles.generate(out, name);
            return new Written(name, curve.secretKeyFile(), curve.publicKeyFile(), curve.publicKey(),
                    SigningKeyFiles.secretFile(out, name).toString(), SigningKeyFiles.publicFile(out, name).toString());
        }

        @Override
        String text(Written w) {
            return "wrote " + w.secretKeyFile() + ", " + w.publicKeyFile() + ", " + w.signingKeyFile() + ", "
                    + w.signingPublicKeyFile() + "; CURVE public key " + w.publicKey();
        }
    }

    @Command(name = "gen-tls", description = "Writes a TLS key pair for the replicated roots' Raft transport: "
            + "<name>.tls.key (EC P-256, PEM PKCS#8, mode 0600) and <name>.crt (self-signed; peers pin it, "
            + "cluster.tls in the root config).")
    static final class GenTls extends KeyGen {
        @Option(names = "--name", required = true, description = "the group's name for one pair shared by its roots, or a root id")
        void name(String name) {
            this.name = name;
        }

        @Override
        Written write() throws IOException {
            TlsKeyFiles.Identity made = TlsKeyFiles.generate(out, name);
            return new Written(name, TlsKeyFiles.secretFile(out, name).toString(),
                    TlsKeyFiles.certificateFile(out, name).toString(), "sha256:" + TlsKeyFiles.fingerprint(made.certificate()),
                    null, null);
        }

        @Override
        String text(Written w) {
            return "wrote " + w.secretKeyFile() + " (secret) and " + w.publicKeyFile() + "; certificate " + w.publicKey();
        }
    }

    /**
     * What {@code keys gen --json}, {@code keys gen-operator --json} and {@code keys gen-tls --json}
     * print (signing files: gen-operator only; for gen-tls the public key is the certificate's
     * SHA-256, {@code sha256:<hex>}).
     */
    record Written(String name, String secretKeyFile, String publicKeyFile, String publicKey, String signingKeyFile,
                   String signingPublicKeyFile) {
    }

    static KeyRole role(String role, PrintWriter err) {
        try {
            return KeyRole.fromLabel(role);
        } catch (IllegalArgumentException e) {
            err.println("ROLE: got '" + role + "'; allowed: platform or operator");
            return null;
        }
    }

    @Command(name = "enrol", description = "Enrols a public key at the root (operators only): a platform or an operator.")
    static final class Enrol implements Callable<Integer> {
        @Mixin
        RootOptions root;

        @Parameters(index = "0", paramLabel = "ROLE", description = "platform or operator")
        String role;

        @Parameters(index = "1", paramLabel = "NAME", description = "the platform id or operator name")
        String name;

        @Parameters(index = "2", paramLabel = "PUBLIC_KEY", description = "40 Z85 characters or a .pub file")
        String key;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec cmd;

        @Override
        public Integer call() {
            PrintWriter err = cmd.commandLine().getErr();
            KeyRole r = role(role, err);
            if (r == null || badName(name, err)) {
                return TendrilCtl.BAD_INPUT;
            }
            String publicKey;
            try {
                publicKey = CurveKeyFiles.readPublic(key);
            } catch (KeyFileException e) {
                err.println("PUBLIC_KEY: " + e.getMessage());
                return TendrilCtl.BAD_INPUT;
            }
            RootCall.Outcome o = RootCall.send(root, err, "", new RootMessage.EnrolKey(r, name, publicKey));
            if (o instanceof RootCall.Outcome.Exit e) {
                return e.code();
            }
            cmd.commandLine().getOut().println("enrolled " + r.label() + " " + name + " " + publicKey);
            return TendrilCtl.OK;
        }
    }

    @Command(name = "revoke", description = "Revokes one key (PUBLIC_KEY given) or every key of a platform or operator.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        RootOptions root;

        @Parameters(index = "0", paramLabel = "ROLE", description = "platform or operator")
        String role;

        @Parameters(index = "1", paramLabel = "NAME", description = "the platform id or operator name")
        String name;

        @Parameters(index = "2", arity = "0..1", paramLabel = "PUBLIC_KEY", description = "one key (default: all of NAME)")
        String key;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec cmd;

        @Override
        public Integer call() {
            PrintWriter err = cmd.commandLine().getErr();
            KeyRole r = role(role, err);
            if (r == null || badName(name, err)) {
                return TendrilCtl.BAD_INPUT;
            }
            String publicKey = "";
            if (key != null) {
                try {
                    publicKey = CurveKeyFiles.readPublic(key);
                } catch (KeyFileException e) {
                    err.println("PUBLIC_KEY: " + e.getMessage());
                    return TendrilCtl.BAD_INPUT;
                }
            }
            RootCall.Outcome o = RootCall.send(root, err, "", new RootMessage.RevokeKey(r, name, publicKey));
            if (o instanceof RootCall.Outcome.Exit e) {
                return e.code();
            }
            cmd.commandLine().getOut().println("revoked " + r.label() + " " + name + (publicKey.isEmpty() ? " (all keys)" : " " + publicKey));
            return TendrilCtl.OK;
        }
    }

    @Command(name = "list", description = "Lists the keys enrolled at the root.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        RootOptions root;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec cmd;

        @Override
        public Integer call() {
            RootCall.Outcome o = RootCall.send(root, cmd.commandLine().getErr(), "", new RootMessage.KeysQuery());
            if (o instanceof RootCall.Outcome.Exit e) {
                return e.code();
            }
            List<RootMessage.EnrolledKey> keys = ((RootMessage.KeyListing) ((RootCall.Outcome.Reply) o).body()).keys();
            PrintWriter out = cmd.commandLine().getOut();
            if (root.json) {
                Json.print(out, keys);
                return TendrilCtl.OK;
            }
            out.printf("%-9s %-20s %-40s %s%n", "ROLE", "NAME", "PUBLIC KEY", "ENROLLED");
            for (RootMessage.EnrolledKey k : keys) {
                out.printf("%-9s %-20s %-40s %s%n", k.role().label(), k.name(), k.publicKey(),
                        k.enrolledAtMillis() == 0 ? "config" : Instant.ofEpochMilli(k.enrolledAtMillis()).toString());
            }
            return TendrilCtl.OK;
        }
    }
}
