package dev.tendril.root.adapter.out.ratis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A replicated root's place in its Raft group (the {@code cluster:} section of the root
 * config, see docs/configuration.md).
 *
 * @param self          this root's peer id (one of {@code peers})
 * @param peers         every root of the group at start (an odd number for best fault tolerance)
 * @param storage       folder of the Raft log, its metadata and the state-machine snapshots
 * @param group         the group's name (all roots of one group use the same)
 * @param snapshotEvery take a snapshot (and let the log be purged) after this many applied entries
 * @param electionMin   shortest election timeout (a follower waits at least this before it campaigns)
 * @param electionMax   longest election timeout
 * @param commitTimeout a write not committed within this is answered INTERNAL (the client retries)
 * @param segmentBytes  size of one Raft log segment file; the log is purged by whole segments up to the last snapshot
 * @param tls           mutual TLS of the Raft transport ({@code cluster.tls}); empty: in clear (loopback or an isolated testbed)
 */
public record ClusterConfig(String self, List<Peer> peers, Path storage, String group, long snapshotEvery,
                            Duration electionMin, Duration electionMax, Duration commitTimeout, long segmentBytes,
                            Optional<Tls> tls) {

    /**
     * The Raft transport's TLS: this root's private key and certificate, and the certificates a
     * peer may present (pinned; the group may share one pair, then {@code peers} is that one).
     */
    public record Tls(java.security.PrivateKey key, java.security.cert.X509Certificate certificate,
                      List<java.security.cert.X509Certificate> peers) {
        public Tls {
            peers = List.copyOf(peers);
        }
    }

    /**
     * @param id      the peer id (a DNS label)
     * @param raft    host:port of the Raft transport (gRPC)
     * @param control host:port of the peer's control endpoint, named to clients in NOT_LEADER replies
     */
    public record Peer(String id, String raft, String control) {
        /** The control endpoint as a ZeroMQ address. */
        public String controlEndpoint() {
            return "tcp://" + control;
        }
    }

    public ClusterConfig {
        peers = List.copyOf(peers);
    }

    public Optional<Peer> peer(String id) {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    public Peer selfPeer() {
        return peer(self).orElseThrow(() -> new IllegalStateException("cluster.id " + self + " is not among the peers"));
    }
}
