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
 */
public final class SpecSignatures {
    private static final Logger log = LoggerFactory.getLogger(SpecSignatures.class);

    private final String nodeId;
    private final Map<String, PublicKey> operators;
    private final int maxSpecBytes;
    private final RefusalLog refusals;
    private final AtomicBoolean warned = new AtomicBoolean();

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
        SignedSpec.Verification v = SignedSpec.verify(specText, operators);
        if (v instanceof SignedSpec.Verification.Unsigned) {
            return refuse(peer, "spec-unsigned", "(spec): not signed; this node runs only specs signed by an operator "
                    + "(tendrilctl deploy --operator-key NAME.key)");
        }
        if (v instanceof SignedSpec.Verification.Invalid i) {
            return refuse(peer, "spec-bad-signature", "(spec): " + i.reason());
        }
        return Optional.empty();
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
