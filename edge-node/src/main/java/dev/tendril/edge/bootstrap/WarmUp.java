package dev.tendril.edge.bootstrap;

import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.codec.FrameCodec;
import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.edge.selforg.adapter.out.root.RootControlDirectory;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.OverlayMessage;
import dev.tendril.protocol.message.SelfOrgMessage;
import dev.tendril.protocol.signing.OperatorKeys;
import dev.tendril.protocol.signing.SignedSpec;
import dev.tendril.protocol.spec.Validated;
import dev.tendril.protocol.text.Decimals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Runs once, off the start path, the code a node first needs when another node asks it for a
 * replica or when it replicates: the signature check of a spec, the spec's parser, the codec of
 * a replication's messages (with the peers and with the root), the path that hands a
 * registration watch's answer to the self-organization thread, the writing of its events'
 * texts ({@code Decimals}) and, through {@link #startAfter}'s {@code replica}, a Replicate's
 * way through a scratch self-organization inbox and agent, on a built-in sample ({@code warm-up/spec.yaml}, signed by a key made for this and
 * no operator's). In a JVM that runs C1 only, the first use of that code (loading its classes,
 * bootstrapping its lambdas and string concatenations, interpreting it) took 80-120 ms of a
 * first replication's processing on topology D, against 37-51 ms for a pair that had
 * replicated before (docs/evaluation.md, section 1b); a fresh JVM on an idle machine needs
 * ~25 ms for the first Ed25519 check, ~70 ms for the first spec parse and ~70 ms for the first
 * Replicate encoded and decoded, 1-3 ms for the second. Nothing is deployed, kept or counted.
 */
final class WarmUp {
    private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
    static final String SIGNER = "warm-up";
    /** How many event texts the warm-up writes (C1 compiles a method after ~200 calls, loops after more). */
    static final int WRITES = 1_000;
    /** The signed sample spec the warm-up checks, parses and rehearses a replica of. */
    static final String SAMPLE = "warm-up/spec.yaml";

    private WarmUp() {
    }

    /**
     * Runs {@link #run} on a daemon thread after {@code delay} (so that it does not slow the start),
     * then {@code replica} with the sample and its text: the node's rehearsal of a replica deployed
     * here (a scratch agent, nothing deployed or sent).
     */
    static Thread startAfter(Duration delay, String nodeId, Function<String, Validated<DeploymentSpec>> specs,
                             Rehearsal replica) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(delay.toMillis());
                long t0 = System.nanoTime();
                String text = sample();
                PublicKey signer = signerKey();
                replica.run(run(text, signer, specs), text, signer);
                log.debug("{}: warm-up took {} ms", nodeId, (System.nanoTime() - t0) / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | IOException | GeneralSecurityException e) {
                log.warn("{}: warm-up failed (the first replica will start slower): {}", nodeId, e.toString());
            }
        }, "warm-up-" + nodeId);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Checks and parses the sample spec and round-trips a replication's messages; throws when any step fails. */
    static DeploymentSpec run(Function<String, Validated<DeploymentSpec>> specs) throws IOException, GeneralSecurityException {
        return run(sample(), signerKey(), specs);
    }

    /** The node's rehearsal of a replica of the sample ({@code spec} parsed from {@code text}, signed by {@code signer}). */
    @FunctionalInterface
    interface Rehearsal {
        void run(DeploymentSpec spec, String text, PublicKey signer);
    }

    /** As {@link #run(Function)}, on the sample's {@code text} and its {@code signer} already read. */
    static DeploymentSpec run(String text, PublicKey signer, Function<String, Validated<DeploymentSpec>> specs) {
        SignedSpec.Verification verified = SignedSpec.verify(text, Map.of(SIGNER, signer));
        if (!(verified instanceof SignedSpec.Verification.Valid)) {
            throw new IllegalStateException("the warm-up spec does not verify: " + verified);
        }
        Validated<DeploymentSpec> parsed = specs.apply(text);
        if (!(parsed instanceof Validated.Valid<DeploymentSpec> valid)) {
            throw new IllegalStateException("the warm-up spec does not parse: " + parsed);
        }
        DeploymentSpec spec = valid.value();
        NodeInfo self = new NodeInfo("warm-up", "192.0.2.1", new GeoPoint(48.1, 11.6), List.of(), 7400);
        String id = "rep-warm-up";
        FrameCodec codec = FrameCodec.standard();
        codec.rehearse(new SelfOrgMessage.Replicate(spec.service(), id, self, text));
        codec.rehearse(new SelfOrgMessage.ReplicateReply(spec.service(), id, SelfOrgMessage.ReplicateReply.ACCEPTED, "", Optional.empty()));
        codec.rehearse(new SelfOrgMessage.ReplicaReady(spec.service(), id, self, true, 1, 1, ""));
        codec.rehearse(new SelfOrgMessage.ReplicateSoon(spec.service(), self.nodeId(), text));
        // the replication's messages with the root (an origin decoded its first RegistrationSeen on its client's
        // thread 3-5 ms slower than its next ones, topology D, docs/evaluation.md 1c), and the replica's Attach
        codec.rehearseReplicationWithRoot(spec.service(), self);
        codec.rehearse(new OverlayMessage.Attach(spec.service(), self));
        codec.rehearse(new OverlayMessage.AttachAck(spec.service(), self.nodeId()));
        // a migration search's messages, which a node meets as a hop, a target or an origin
        SelfOrgMessage.MigrationSearch search = new SelfOrgMessage.MigrationSearch(spec.service(), "mig-warm-up", self,
                self.position(), 1, dev.tendril.protocol.grid.Capacity.of(1, 1 << 20, 0, 0), 500, 0, 8, 1, self.nodeId(), true);
        codec.rehearse(search);
        codec.rehearse(search.forwarded("warm-up-parent", false));
        codec.rehearse(new SelfOrgMessage.MigrationOffer(spec.service(), "mig-warm-up", self, 12.5, 2));
        codec.rehearse(new SelfOrgMessage.MigrationNotFound(spec.service(), "mig-warm-up", self.nodeId(), "nothing within reach", 3));
        // and the path that hands a watch's answer to the self-organization thread
        if (!RootControlDirectory.rehearse(self).equals(Optional.of(self))) {
            throw new IllegalStateException("the rehearsed registration watch saw no registration");
        }
        // the events' details: distances, loads and positions written by Decimals (Replication, ServiceReplicas,
        // SearchRouter, UserCluster); often enough that C1 compiles it, which it does after a few hundred calls
        GeoPoint far = new GeoPoint(52.5, 13.4);
        int length = 0;
        for (int i = 0; i < WRITES; i++) {
            GeoPoint p = new GeoPoint(48 + i * 0.001, 11.5 - i * 0.0007);
            length += (p + " " + Decimals.fixed(p.distanceKm(far), 0) + " " + Decimals.fixed(i / 7.0, 1 + i % 2)).length();
        }
        if (length == 0) {
            throw new IllegalStateException("the warm-up wrote no text");
        }
        return spec;
    }


    /** The sample's text. */
    static String sample() throws IOException {
        return resource(SAMPLE);
    }

    /** The public key the sample is signed with (made for the warm-up, no operator's). */
    static PublicKey signerKey() throws IOException, GeneralSecurityException {
        return OperatorKeys.publicKey(Base64.getDecoder().decode(resource("warm-up/warm-up.pub").trim()));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = WarmUp.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is missing from the edge node's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
