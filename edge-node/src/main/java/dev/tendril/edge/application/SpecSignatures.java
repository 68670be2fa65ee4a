package dev.tendril.edge.application;

import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.protocol.signing.SignedSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a node checks of a spec before it runs anything, on admin Deploy and on Replicate:
 * its size (refused before anything else reads it) and, when operator keys are configured,
 * a valid signature of one of the operators ({@link SignedSpec}). Without operator keys
 * (the local preset) unsigned specs are accepted and one WARN says so. Every refusal is
 * counted per reason and logged at most once a minute per peer. Thread-safe.
 *
 * <p>A spec text whose signature was found valid is remembered (its SHA-256, the last
 * {@link #REMEMBERED} texts): a replica's spec is checked when the Replicate arrives and again
 * right before it runs, and the same spec comes back with every replication; the JDK's Ed25519
 * verification costs milliseconds on the edge node's C1-only JIT, on the replication's path.
 * The operator keys are fixed per instance, so a remembered verdict stays true.
 */
public final class SpecSignatures {
    private static final Logger log = LoggerFactory.getLogger(SpecSignatures.class);

    private final String nodeId;
    private final Map<String, PublicKey> operators;
    private final int maxSpecBytes;
    private final RefusalLog refusals;
    private final AtomicBoolean warned = new AtomicBoolean();
    /** How many verified spec texts are remembered (least recently used go first). */
    static final int REMEMBERED = 32;
    private final Map<String, Boolean> verified = new java.util.LinkedHashMap<>(REMEMBERED * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final java.util.concurrent.atomic.LongAdder verifications = new java.util.concurrent.atomic.LongAdder();

    public SpecSignatures(String nodeId, Map<String, PublicKey> operators, int maxSpecBytes, RefusalLog refusals) {
        this.nodeId = nodeId;
        this.operators = Map.copyOf(operators);
        this.maxSpecBytes = maxSpecBytes;
        this.refusals = refusals;
    }

    /** No operator keys, the default size limit, refusals logged on {@code tendril.refusals}. */
    public static SpecSignatures unsigned(String nodeId, int maxSpecBytes, Clock clock) {
        return new SpecSignatures(nodeId, Map.of(), maxSpecBytes,
                RefusalLog.perMinute(LoggerFactory.getLogger("tendril.refusals"), clock));
    }

    /** Why the spec must not run (one line for the requester), or empty when it may be parsed and run. */
    public Optional<String> refusal(String specText, String peer) {
        long bytes = specText.length() > maxSpecBytes ? specText.length() : specText.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxSpecBytes) {
            return refuse(peer, "spec-too-large", "(spec): " + (specText.length() > maxSpecBytes ? "more than " : "")
                    + bytes + " bytes; at most " + maxSpecBytes + " allowed (security.maxSpecBytes)");
        }
        if (operators.isEmpty()) {
            if (warned.compareAndSet(false, true)) {
                log.warn("{}: deploying specs without checking signatures: no security.operatorKeys configured "
                        + "(acceptable for the local preset only; see docs/security.md, \"Signed specs\")", nodeId);
            }
            return Optional.empty();
        }
        String digest = sha256(specText);
        synchronized (verified) {
            if (verified.containsKey(digest)) {
                return Optional.empty();
            }
        }
        verifications.increment();
        SignedSpec.Verification v = SignedSpec.verify(specText, operators);
        if (v instanceof SignedSpec.Verification.Valid) {
            synchronized (verified) {
                verified.put(digest, Boolean.TRUE);
            }
        }
        if (v instanceof SignedSpec.Verification.Unsigned) {
            return refuse(peer, "spec-unsigned", "(spec): not signed; this node runs only specs signed by an operator "
                    + "(tendrilctl deploy --operator-key NAME.key)");
        }
        if (v instanceof SignedSpec.Verification.Invalid i) {
            return refuse(peer, "spec-bad-signature", "(spec): " + i.reason());
        }
        return Optional.empty();
    }

    /** Signatures verified so far (a remembered spec text is not verified again). */
    public long verifications() {
        return verifications.sum();
    }

    private static String sha256(String text) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Refusals so far per reason. */
    public Map<String, Long> refusals() {
        return refusals.counts();
    }

    private Optional<String> refuse(String peer, String reason, String message) {
        refusals.refused(peer, reason, nodeId + ": " + message);
        return Optional.of(message);
    }
}
