package dev.tendril.protocol.message;

import dev.tendril.protocol.message.RootMessage.ErrorReply;

import java.util.Optional;

/**
 * The refusal of a write by a root that is not the leader of a replicated group: an
 * {@link ErrorReply} with code {@value #NOT_LEADER} whose message ends with
 * {@code "leader: <control endpoint>"} when the root knows the leader (e.g.
 * {@code leader: tcp://127.0.0.1:5391}). A client retries the request there; without a
 * leader (an election is under way) it tries the other roots again a moment later.
 */
public final class LeaderHint {
    public static final String NOT_LEADER = "NOT_LEADER";
    private static final String MARK = "leader: ";

    private LeaderHint() {
    }

    /**
     * @param rootId the refusing root
     * @param leaderEndpoint the leader's control endpoint, empty when no leader is known
     */
    public static ErrorReply notLeader(String rootId, Optional<String> leaderEndpoint) {
        return new ErrorReply(NOT_LEADER, leaderEndpoint
                .map(e -> "root " + rootId + " is not the leader; " + MARK + e)
                .orElse("root " + rootId + " is not the leader and knows no leader yet (election under way)"));
    }

    /** Whether the reply is a NOT_LEADER refusal. */
    public static boolean isNotLeader(Message reply) {
        return reply instanceof ErrorReply e && NOT_LEADER.equals(e.code());
    }

    /** The leader's control endpoint named by a NOT_LEADER refusal, if any. */
    public static Optional<String> leaderOf(Message reply) {
        if (!isNotLeader(reply)) {
            return Optional.empty();
        }
        String text = ((ErrorReply) reply).message();
        int at = text.lastIndexOf(MARK);
        if (at < 0) {
            return Optional.empty();
        }
        String endpoint = text.substring(at + MARK.length()).trim();
        return endpoint.startsWith("tcp://") && endpoint.indexOf(' ') < 0 ? Optional.of(endpoint) : Optional.empty();
    }
}
