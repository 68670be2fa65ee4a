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
        record Reply(RootMessage body) implements Outcome {
        }

        record Exit(int code) implements Outcome {
        }
    }

    private RootCall() {
    }

    /** The reply of the root at {@code endpoint} (tcp://host:port), or null when it did not answer in time. */
    static RootMessage ask(String endpoint, Duration timeout, RootMessage request) {
        ClientOptions options = ClientOptions.of(endpoint).withRetries(timeout.dividedBy(2).plusMillis(1), 2);
        try (RequestClient client = new RequestClient(options)) {
            Envelope envelope = new Envelope(MessageId.random(new SecureRandom()), "", "tendrilctl", System.currentTimeMillis(), request);
            RequestResult r = client.request(envelope);
            return r instanceof RequestResult.Reply reply && reply.envelope().body() instanceof RootMessage body ? body : null;
        }
    }

    /**
     * Sends the request to the roots of {@code --root} through a {@link LeaderFollower} (the
     * edge's root client does the same): a follower's {@code NOT_LEADER} sends a write on to the
     * leader it names, a root that does not answer makes it try the next one listed.
     */
    static Outcome send(RootOptions root, PrintWriter err, String service, RootMessage request) {
        List<String> endpoints = root.endpoints();
        if (endpoints == null) {
            err.println("--root: got '" + root.root + "'; allowed: host:port of the root's control endpoint, e.g. 127.0.0.1:5390, "
                    + "or several comma-separated");
            return new Outcome.Exit(TendrilCtl.BAD_INPUT);
        }
        List<String> keys = root.rootKeys();
        if (keys.size() > 1 && keys.size() != endpoints.size()) {
            err.println("--root-key: got " + keys.size() + " keys for " + endpoints.size() + " roots; allowed: one for all, "
                    + "or one per --root entry in the same order");
            return new Outcome.Exit(TendrilCtl.BAD_INPUT);
        }
        Duration timeout = root.timeout();
        List<ClientOptions> roots = new ArrayList<>(endpoints.size());
        boolean curveOn = false;
        for (int i = 0; i < endpoints.size(); i++) {
            String key = keys.isEmpty() ? null : keys.get(keys.size() == 1 ? 0 : i);
            Optional<ClientOptions.Curve> curve = CurveOptions.of(root.curveKey, key, "--root-key", err);
            if (curve == null) {
                return new Outcome.Exit(TendrilCtl.BAD_INPUT);
            }
            curveOn |= curve.isPresent();
            roots.add(CurveOptions.apply(ClientOptions.of(endpoints.get(i)).withRetries(timeout.dividedBy(3).plusMillis(1), 3), curve));
        }
        SecureRandom random = new SecureRandom();
        try (PipelinedClient client = new PipelinedClient("tendrilctl")) {
            RequestResult r = new LeaderFollower(client, roots, timeout).request(() ->
                    new Envelope(MessageId.random(random), service, "tendrilctl", System.currentTimeMillis(), request));
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
                return new Outcome.Exit(e.code().equals("FORBIDDEN") || e.code().equals("UNAUTHENTICATED")
                        ? TendrilCtl.REFUSED : TendrilCtl.FAILED);
            }
            return new Outcome.Reply(body);
        }
    }
}
