package dev.tendril.cli;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.LeaderFollower;
import dev.tendril.protocol.transport.PipelinedClient;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One request to a root's control endpoint (or to the leader of a replicated group), with
 * transport and refusal mapped to exit codes.
 */
final class RootCall {
    /** The reply body, or the exit code to end with (after printing why). */
    sealed interface Outcome {
        /**
         * {@code answeredBy}: the listing of the root that answered (its endpoint and CURVE
         * settings); {@code listed}: every root of {@code --root} as {@link #listings} made them.
         */
        record Reply(RootMessage body, ClientOptions answeredBy, List<ClientOptions> listed) implements Outcome {
        }

        record Exit(int code) implements Outcome {
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private RootCall() {
    }

    /**
     * The reply of the one root {@code options} names (its endpoint, CURVE settings and
     * retries), or null when it did not answer in time.
     */
    static RootMessage ask(ClientOptions options, RootMessage request) {
        try (RequestClient client = new RequestClient(options)) {
            RequestResult r = client.request(envelope("", request));
            return r instanceof RequestResult.Reply reply && reply.envelope().body() instanceof RootMessage body ? body : null;
        }
    }

    static Envelope envelope(String service, RootMessage request) {
        return new Envelope(MessageId.random(RANDOM), service, "tendrilctl", System.currentTimeMillis(), request);
    }

    /**
     * The roots of {@code --root} with their CURVE settings ({@code --curve-key} and the
     * {@code --root-key} of each) and retries within {@code --timeout}; null after printing
     * why the options are unusable.
     */
    static List<ClientOptions> listings(RootOptions root, PrintWriter err) {
        List<String> endpoints = root.endpoints();
        if (endpoints == null) {
            err.println("--root: got '" + root.root + "'; allowed: host:port of the root's control endpoint, e.g. 127.0.0.1:5390, "
                    + "or several comma-separated");
            return null;
        }
        List<String> keys = root.rootKeys();
        if (keys.size() > 1 && keys.size() != endpoints.size()) {
            err.println("--root-key: got " + keys.size() + " keys for " + endpoints.size() + " roots; allowed: one for all, "
                    + "or one per --root entry in the same order");
            return null;
        }
        Duration timeout = root.timeout();
        List<ClientOptions> roots = new ArrayList<>(endpoints.size());
        for (int i = 0; i < endpoints.size(); i++) {
            String key = keys.isEmpty() ? null : keys.get(keys.size() == 1 ? 0 : i);
            Optional<ClientOptions.Curve> curve = CurveOptions.of(root.curveKey, key, "--root-key", err);
            if (curve == null) {
                return null;
            }
            roots.add(CurveOptions.apply(ClientOptions.of(endpoints.get(i)).withRetries(timeout.dividedBy(3).plusMillis(1), 3), curve));
        }
        return roots;
    }

    /**
     * Sends the request to the roots of {@code --root} through a {@link LeaderFollower} (the
     * edge's root client does the same): a follower's {@code NOT_LEADER} sends a write on to the
     * leader it names, a root that does not answer makes it try the next one listed.
     */
    static Outcome send(RootOptions root, PrintWriter err, String service, RootMessage request) {
        List<ClientOptions> roots = listings(root, err);
        if (roots == null) {
            return new Outcome.Exit(TendrilCtl.BAD_INPUT);
        }
        Duration timeout = root.timeout();
        boolean curveOn = roots.stream().anyMatch(o -> o.curve().isPresent());
        try (PipelinedClient client = new PipelinedClient("tendrilctl")) {
            LeaderFollower group = new LeaderFollower(client, roots, timeout);
            RequestResult r = group.request(() -> envelope(service, request));
            if (!(r instanceof RequestResult.Reply reply)) {
                err.println("no answer from root " + root.root + " within " + timeout.toMillis() + " ms (is it running? is --root its control endpoint?"
                        + (curveOn ? " are --root-key and your key enrolled right?" : " does it need CURVE keys (--curve-key, --root-key)?") + ")");
                return new Outcome.Exit(TendrilCtl.FAILED);
            }
            if (!(reply.envelope().body() instanceof RootMessage body)) {
                err.println("root " + root.root + " answered with an unexpected " + reply.envelope().kind());
                return new Outcome.Exit(TendrilCtl.FAILED);
            }
            if (body instanceof RootMessage.ErrorReply e) {
                err.println("root " + root.root + " refused: " + e.code() + ": " + e.message());
                return new Outcome.Exit(TendrilCtl.exitCode(e));
            }
            return new Outcome.Reply(body, group.preferred(), roots);
        }
    }
}
