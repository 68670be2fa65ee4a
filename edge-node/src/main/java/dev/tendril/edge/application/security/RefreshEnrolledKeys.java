package dev.tendril.edge.application.security;

import dev.tendril.edge.overlay.RootControl;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.RootMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Asks the root for the enrolled keys and hands the listing to {@link EnrolledPeers}; run
 * every heartbeat interval, so a platform revoked at the root is refused here within one.
 * The query names the digest of the listing held: while the keys are the same the root answers
 * {@link RootMessage.KeysUnchanged} (a digest instead of every key), after any enrolment or
 * revocation the new listing. When the root does not answer the last listing stays (a root
 * outage does not cut the tree).
 */
public final class RefreshEnrolledKeys implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RefreshEnrolledKeys.class);

    private final String nodeId;
    private final RootControl root;
    private final EnrolledPeers peers;
    private boolean failing;

    public RefreshEnrolledKeys(String nodeId, RootControl root, EnrolledPeers peers) {
        this.nodeId = nodeId;
        this.root = root;
        this.peers = peers;
    }

    @Override
    public synchronized void run() {
        Optional<Message> reply;
        try {
            reply = root.call("", new RootMessage.KeysQuery(peers.digest()));
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
