package dev.tendril.cli;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;

/** One read-only request to a root's control endpoint, with transport and refusal mapped to exit codes. */
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

    static Outcome send(RootOptions root, PrintWriter err, String service, RootMessage request) {
        String endpoint = root.endpoint();
        if (endpoint == null) {
            err.println("--root: got '" + root.root + "'; allowed: host:port of the root's control endpoint, e.g. 127.0.0.1:5390");
            return new Outcome.Exit(TendrilCtl.BAD_INPUT);
        }
        Optional<ClientOptions.Curve> curve = CurveOptions.of(root.curveKey, root.rootKey, "--root-key", err);
        if (curve == null) {
            return new Outcome.Exit(TendrilCtl.BAD_INPUT);
        }
        Duration timeout = root.timeout();
        ClientOptions options = CurveOptions.apply(ClientOptions.of(endpoint).withRetries(timeout.dividedBy(3).plusMillis(1), 3), curve);
        try (RequestClient client = new RequestClient(options)) {
            Envelope envelope = new Envelope(MessageId.random(new SecureRandom()), service, "tendrilctl", System.currentTimeMillis(), request);
            RequestResult r = client.request(envelope);
            if (!(r instanceof RequestResult.Reply reply)) {
                err.println("no answer from root " + root.root + " within " + timeout.toMillis() + " ms (is it running? is --root its control endpoint?"
                        + (curve.isPresent() ? " are --root-key and your key enrolled right?" : " does it need CURVE keys (--curve-key, --root-key)?") + ")");
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
