package dev.tendril.cli;

import dev.tendril.protocol.message.AdminAuth;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.RequestClient;
import dev.tendril.protocol.transport.RequestResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * One authenticated admin request to a node: signs it with the key (see {@link AdminAuth}),
 * sends it in one attempt (a stalled connection is replaced within it, and the copy sent on the
 * new one is a signed retry, never the same id: the node refuses a repeated id as a replay), and
 * maps transport and auth failures to exit codes.
 */
final class AdminCall {
    /** The reply body, or the exit code to end with (after printing why). */
    sealed interface Outcome {
        record Reply(Message body) implements Outcome {
        }

        record Exit(int code) implements Outcome {
        }
    }

    private AdminCall() {
    }

    static Outcome send(NodeOptions node, PrintWriter err, MessageType type, String payload,
                        Function<String, AdminMessage.Request> build) {
        String endpoint = node.endpoint();
        if (endpoint == null) {
            err.println("--node: got '" + node.node + "'; allowed: host:port of the node's admin socket, e.g. 127.0.0.1:7401");
            return new Outcome.Exit(TendrilCtl.BAD_INPUT);
        }
        String key;
        try {
            key = node.key();
        } catch (IOException e) {
            err.println("--key-file: cannot read " + node.keyFile + ": " + e.getMessage());
            return new Outcome.Exit(TendrilCtl.BAD_INPUT);
        }
        if (key == null) {
            err.println("--key: missing; give the node's admin key with --key, --key-file or TENDRIL_ADMIN_KEY");
            return new Outcome.Exit(TendrilCtl.BAD_INPUT);
        }
        // a copy sent again (the connection was replaced for a handshake that looked stalled) is a
        // retry: fresh id and time, naming this request; the node answers it with this one's reply
        // if this one arrived and ran, and runs it otherwise (a repeated id would be refused as a replay)
        AdminAuth.Signed request = AdminAuth.signed(key, "tendrilctl", type, payload, build, new SecureRandom());
        Optional<ClientOptions.Curve> curve = CurveOptions.of(node.curveKey, node.nodeKey, "--node-key", err);
        if (curve == null) {
            return new Outcome.Exit(TendrilCtl.BAD_INPUT);
        }
        Duration timeout = node.timeout();
        // one attempt for the whole timeout; within it a stalled connection is replaced and the request retried
        ClientOptions options = CurveOptions.apply(ClientOptions.of(endpoint).withRetries(timeout, 1), curve);
        try (RequestClient client = new RequestClient(options)) {
            RequestResult r = client.request(request.first(), request.retry());
            if (!(r instanceof RequestResult.Reply reply)) {
                // a CURVE handshake with a wrong server key or an unenrolled client key fails silently: say so
                err.println("no answer from " + node.node + " within " + timeout.toMillis() + " ms (is the node running? is --node its admin socket?"
                        + (curve.isPresent() ? " is --node-key that node's public key, and your --curve-key enrolled at the root?"
                        : " does it need CURVE keys (--curve-key, --node-key)?") + ")");
                return new Outcome.Exit(TendrilCtl.FAILED);
            }
            Message body = reply.envelope().body();
            if (body instanceof RootMessage.ErrorReply e) {
                err.println(node.node + " refused: " + e.code() + ": " + e.message());
                return new Outcome.Exit(TendrilCtl.exitCode(e));
            }
            return new Outcome.Reply(body);
        }
    }
}
