package dev.tendril.protocol.transport;

import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.LeaderHint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Sends root control requests to a group of roots and follows the leader: a root that
 * answers {@code NOT_LEADER} naming the leader (see {@link LeaderHint}) sends the request
 * there; one that names none (an election is under way) makes it try the next root, and
 * after a round in which some root answered NOT_LEADER, another round after a short pause,
 * until {@code leaderWait} has passed. The root that last answered is asked first next time.
 *
 * <p>A root that timed out on every attempt is asked after the others in later rounds, is
 * tried at most {@value #TIMEOUTS_PER_ROOT} times by one request (as a round's member or as
 * a named leader: a follower may still name the leader that just died), and is no longer
 * asked first by later requests. So a dead leader costs its timeout at most twice per
 * request, and a leader that is only slow (a loaded machine) still gets its second chance.
 * With a single root,
 * or roots that never answer NOT_LEADER, this is one round over the roots in order (what a
 * client of one root always did). Each root sees a given message id once: a request sent
 * again to a root that already answered it gets a fresh id (its dedupe cache would repeat
 * the NOT_LEADER), so requests must be idempotent, as every root control request is.
 *
 * <p>One root may be listed several times with different CURVE server keys (its current key
 * and the next one, published ahead of a key rotation): a listing that times out (a wrong
 * server key fails silently) is followed by the next listing of the same root in the same
 * round, and the listing that answered is asked first from then on.
 */
public final class LeaderFollower {
    private static final int MAX_HOPS = 8;
    static final int TIMEOUTS_PER_ROOT = 2;
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(400);

    private final PipelinedClient client;
    private final List<ClientOptions> roots;
    private final long leaderWaitNanos;
    private volatile ClientOptions preferred;

    /**
     * @param client     the (shared) client the requests go through
     * @param roots      the roots in the order to try them, each with its retry settings
     * @param leaderWait how long to keep looking for a leader while roots answer NOT_LEADER
     */
    public LeaderFollower(PipelinedClient client, List<ClientOptions> roots, Duration leaderWait) {
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("at least one root endpoint is needed");
        }
        this.client = client;
        this.roots = List.copyOf(roots);
        this.leaderWaitNanos = leaderWait.toNanos();
        this.preferred = this.roots.get(0);
    }

    /** Opens the connections to every root now (with the first listing of each: its current key). */
    public LeaderFollower connectAll() {
        Set<String> connected = new HashSet<>();
        roots.stream().filter(o -> connected.add(o.endpoint())).forEach(client::connect);
        return this;
    }

    /** The root asked first (the last one that answered). */
    public String preferredEndpoint() {
        return preferred.endpoint();
    }

    /**
     * Sends {@code envelope} once to the root asked first, waiting up to {@code wait} for the
     * reply, and never moves on to another root: for a request the root may hold (a long poll),
     * whose silence says nothing about the root. A caller that got no reply asks again with
     * {@link #request}, which looks for a root that answers.
     */
    public RequestResult requestOnce(Envelope envelope, Duration wait) {
        return client.request(preferred.withRetries(wait, 1), envelope);
    }

    /**
     * As {@link #requestOnce}, without a thread waiting: the stage completes on the client's
     * thread (what is chained onto it must be short), or exceptionally when the client closes.
     */
    public java.util.concurrent.CompletableFuture<RequestResult> requestOnceLater(Envelope envelope, Duration wait) {
        return client.submit(preferred.withRetries(wait, 1), envelope);
    }

    /** The listing asked first: the one that answered last (a named leader not listed: its referrer's settings). */
    public ClientOptions preferred() {
        return preferred;
    }

    /** The CURVE server key of the listing asked first (empty in clear). */
    public java.util.Optional<String> preferredServerKey() {
        return preferred.curve().map(ClientOptions.Curve::serverPublicKey);
    }

    /**
     * Sends the request made by {@code envelopes} (called again for a fresh id when needed).
     * Returns the first reply that is not NOT_LEADER; else the last NOT_LEADER reply; else
     * {@link RequestResult.TimedOut} when no root answered.
     */
    public RequestResult request(Supplier<Envelope> envelopes) {
        long deadline = System.nanoTime() + leaderWaitNanos;
        long pause = FIRST_PAUSE_NANOS;
        RequestResult last = null;
        Envelope envelope = envelopes.get();
        Set<String> seen = new HashSet<>();
        java.util.Map<String, Integer> silent = new java.util.HashMap<>();
        int hops = 0;
        while (true) {
            List<ClientOptions> round = order(silent);
            boolean refused = false;
            for (int i = 0; i < round.size(); i++) {
                ClientOptions target = round.get(i);
                while (target != null) {
                    if (silent.getOrDefault(target.endpoint(), 0) >= TIMEOUTS_PER_ROOT) {
                        break;
                    }
                    if (!seen.add(target.endpoint())) {
                        envelope = envelopes.get();
                        seen.clear();
                        seen.add(target.endpoint());
                    }
                    RequestResult r = client.request(target, envelope);
                    if (r instanceof RequestResult.Reply reply) {
                        if (!LeaderHint.isNotLeader(reply.envelope().body())) {
                            preferred = target;
                            return r;
                        }
                        refused = true;
                        last = r;
                        String hint = LeaderHint.leaderOf(reply.envelope().body()).orElse(null);
                        target = hint != null && hops++ < MAX_HOPS && !hint.equals(target.endpoint())
                                ? listingFor(roots, hint, target) : null;
                    } else {
                        if (last == null) {
                            last = r;
                        }
                        silent.merge(target.endpoint(), 1, Integer::sum);
                        if (preferred.equals(target)) {
                            preferred = next(target);
                        }
                        target = null;
                    }
                }
            }
            if (!refused || System.nanoTime() - deadline > 0) {
                return last;
            }
            LockSupport.parkNanos(pause); // an election takes a few hundred ms: back off a little
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
    }

    /** The preferred root first, then the others in their configured order; those silent in this request last. */
    private List<ClientOptions> order(java.util.Map<String, Integer> silent) {
        ClientOptions first = preferred;
        List<ClientOptions> out = new ArrayList<>(roots.size());
        List<ClientOptions> late = new ArrayList<>();
        (silent.containsKey(first.endpoint()) ? late : out).add(first);
        for (ClientOptions o : roots) {
            if (!o.equals(first)) { // the same root under another key is a listing of its own
                (silent.containsKey(o.endpoint()) ? late : out).add(o);
            }
        }
        out.addAll(late);
        return out;
    }

    /** The configured root after {@code o} (wrapping), or the first when {@code o} is not configured. */
    private ClientOptions next(ClientOptions o) {
        for (int i = 0; i < roots.size(); i++) {
            if (roots.get(i).equals(o)) {
                return roots.get((i + 1) % roots.size());
            }
        }
        return roots.get(0);
    }

    /**
     * The first of {@code roots} listing {@code endpoint}; a root not listed (a leader a follower
     * named, a member a group lists) gets the settings of {@code referrer}, the root that named
     * it: the roots of one group share their server key.
     */
    public static ClientOptions listingFor(List<ClientOptions> roots, String endpoint, ClientOptions referrer) {
        for (ClientOptions o : roots) {
            if (o.endpoint().equals(endpoint)) {
                return o;
            }
        }
        return new ClientOptions(endpoint, referrer.attemptTimeout(), referrer.attempts(), referrer.curve(),
                referrer.maxFrameBytes());
    }
}
