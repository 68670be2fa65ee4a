package dev.tendril.edge.application.security;

import dev.tendril.edge.overlay.RootControl;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * Asks the root for the enrolled keys and hands the listing to {@link EnrolledPeers}. The query
 * names the digest of the listing held: while the keys are the same the root answers
 * {@link RootMessage.KeysUnchanged} (a digest instead of every key), after any enrolment or
 * revocation the new listing. When the root does not answer the last listing stays (a root
 * outage does not cut the tree).
 *
 * <p>{@link #runHeld} is the steady state, run again a heartbeat interval after each answer: a
 * long poll the root holds for up to {@link #HOLD} while the keys stay as this node holds them,
 * and answers the moment a key is enrolled or revoked. A revoked platform is so refused here
 * within one heartbeat interval (at once while a query is held; within the interval between two
 * queries otherwise), and a node asks once per hold and interval instead of every interval. A
 * held query is sent once to the root asked first; a silence (a root that went away while it
 * held the query) makes the next query an ordinary one, which looks for a root that answers.
 */
public final class RefreshEnrolledKeys implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RefreshEnrolledKeys.class);

    /** How long the root may hold a query while the keys do not change (the root caps it at 30 s). */
    public static final Duration HOLD = Duration.ofSeconds(10);
    /** Beyond the hold, how long a held query waits for the root's answer before it counts as a silence. */
    static final Duration HOLD_MARGIN = Duration.ofSeconds(3);

    private final String nodeId;
    private final RootControl root;
    private final EnrolledPeers peers;
    private boolean failing;

    public RefreshEnrolledKeys(String nodeId, RootControl root, EnrolledPeers peers) {
        this.nodeId = nodeId;
        this.root = root;
        this.peers = peers;
    }

    /** An ordinary query, answered at once (at the start, before the tree socket opens). */
    @Override
    public synchronized void run() {
        ask(false);
    }

    /**
     * A query the root may hold for {@link #HOLD} (returns when it answers, or after the hold and
     * {@link #HOLD_MARGIN}); an ordinary one while this node holds no listing or the root gave
     * none last time.
     */
    public synchronized void runHeld() {
        ask(!failing && !peers.digest().isEmpty());
    }

    private void ask(boolean held) {
        Optional<Message> reply;
        try {
            reply = held ? root.callHeld("", new RootMessage.KeysQuery(peers.digest(), HOLD.toMillis()), HOLD.plus(HOLD_MARGIN))
                    : root.call("", new RootMessage.KeysQuery(peers.digest()));
        } catch (RuntimeException e) {
            reply = Optional.empty();
            log.debug("{}: key listing failed", nodeId, e);
        }
        if (reply.isPresent() && reply.get() instanceof RootMessage.KeyListing listing) {
            int before = peers.size();
            peers.update(listing);
            if (failing || before != peers.size()) {
                log.info("{}: {} enrolled keys from the root", nodeId, peers.size());
            }
            failing = false;
        } else if (reply.isPresent() && reply.get() instanceof RootMessage.KeysUnchanged unchanged) {
            if (!peers.digest().isEmpty() && unchanged.digest().equals(peers.digest())) {
                if (failing) {
                    log.info("{}: the root answers again; its {} enrolled keys are unchanged", nodeId, peers.size());
                }
                failing = false;
            } else { // not the digest asked with (a root that got it wrong): ask for the whole listing next time
                log.warn("{}: the root called digest {} unchanged, but this node holds {}; asking for the whole listing next",
                        nodeId, unchanged.digest(), peers.digest().isEmpty() ? "none" : peers.digest());
                peers.forgetDigest();
            }
        } else if (!failing) {
            failing = true;
            log.warn("{}: the root gave no key listing ({}); keeping the last one ({} keys). Is this platform enrolled "
                            + "(tendrilctl keys enrol --root <host:port> platform {} <its .pub>) and security.rootKeys right?",
                    nodeId, reply.map(m -> m instanceof RootMessage.ErrorReply e ? e.code() + ": " + e.message() : m.type().name())
                            .orElse("no answer"), peers.size(), nodeId);
        }
    }
}
