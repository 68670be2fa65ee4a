package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.message.LeaderHint;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.root.application.ControlErrors;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ChangeRoots;
import dev.tendril.protocol.message.RootMessage.RootMember;
import dev.tendril.protocol.message.RootMessage.RootsStatus;
import dev.tendril.root.application.port.out.GroupMembership;
import dev.tendril.root.application.port.out.TopologyLog;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import dev.tendril.protocol.refusal.RefusalLog;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The topology log of a replicated root: a Raft group of roots (Apache Ratis, gRPC
 * transport: mutual TLS with pinned certificates when {@code cluster.tls} is set, see
 * {@link PinnedPeerCertificates}; only Raft between members is served, see
 * {@link RaftCallGuard}). The leader turns a command into a log entry stamped with its clock and
 * answers once the entry is committed on a majority and applied here; any other root
 * answers {@code NOT_LEADER} naming the leader's control endpoint (see {@link LeaderHint}).
 */
public final class RatisTopologyLog implements TopologyLog, GroupMembership, AutoCloseable {
    private static final Duration RECONFIGURATION_TIMEOUT = Duration.ofSeconds(30);
    /** Commands in one log entry at most (the leader's group commit). */
    static final int MAX_COMMANDS_PER_ENTRY = 512;
    /** Entries proposed and not yet answered at once; while they are, commands queue for the next entry. */
    static final int PROPOSALS_IN_FLIGHT = 3;

    private static final Logger log = LoggerFactory.getLogger(RatisTopologyLog.class);
    /**
     * How long the leader waits between two tries to reach a follower that does not answer (Ratis's
     * {@code MultipleLinearRandomRetry}: pairs of wait and tries, each wait drawn from 0.5-1.5 x):
     * 10 quick tries, then every 250-750 ms for as long as it stays away. Ratis's default moves to 5 s
     * after 30 failures, so a root back after half a minute or more (a reboot, an upgrade, a late
     * first start) waited 2.5-7.5 s for its first append (RootClusterIT), and while its log is empty
     * its vote does not count for a candidate with committed entries (RATIS-1995): one more failure in
     * that window left the group without a leader. A try at a root that is down is one failed
     * connection (Ratis resets gRPC's own connect back-off on each failure); its warnings are batched
     * to one line per 5 s.
     */
    static final String APPENDER_RETRY_POLICY = "1ms,10, 500ms," + Integer.MAX_VALUE;

    private final ClusterConfig config;
    private final RaftServer server;
    private final RaftGroupId groupId;
    private final RaftPeerId self;
    private final Clock clock;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong calls = new AtomicLong();
    private final ProposalBatcher batcher;
    private final RefusalLog refusals;

    private RatisTopologyLog(ClusterConfig config, RaftServer server, RaftGroupId groupId, Clock clock, RefusalLog refusals) {
        this.config = config;
        this.server = server;
        this.groupId = groupId;
        this.self = RaftPeerId.valueOf(config.self());
        this.clock = clock;
        this.refusals = refusals;
        this.batcher = new ProposalBatcher(config.self(), MAX_COMMANDS_PER_ENTRY, PROPOSALS_IN_FLIGHT, this::propose).start();
    }

    /** Mutual TLS from this root's key and certificate, trusting exactly the pinned peer certificates. */
    static GrpcTlsConfig tls(ClusterConfig.Tls tls, RefusalLog refusals) {
        try {
            char[] none = new char[0];
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, none);
            store.setKeyEntry("raft", tls.key(), none, new java.security.cert.Certificate[] {tls.certificate()});
            javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, none);
            return new GrpcTlsConfig(keys.getKeyManagers()[0], new PinnedPeerCertificates(tls.peers(), refusals), true);
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up the Raft transport's TLS: " + e.getMessage(), e);
        }
    }

    /** Peers refused at the Raft port (certificate not pinned) and client or admin calls refused there. */
    public long refusedPeers() {
        return refusals.total(PinnedPeerCertificates.REFUSED);
    }

    public long forbiddenCalls() {
        return refusals.total(RaftCallGuard.FORBIDDEN);
    }

    /** The group id all roots of a group derive from its name. */
    static RaftGroupId groupId(String group) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("tendril-roots:" + group).getBytes(StandardCharsets.UTF_8)));
    }

    static RaftPeer peer(ClusterConfig.Peer p) {
        return RaftPeer.newBuilder().setId(p.id()).setAddress(p.raft()).setClientAddress(p.control()).build();
    }

    /**
     * Starts this root's Raft server (formats its storage on the first start, recovers it after).
     * Refused peers and calls at the Raft port are counted and logged in {@code refusals}.
     */
    public static RatisTopologyLog start(ClusterConfig config, TopologyStateMachine stateMachine, Clock clock,
                                         RefusalLog refusals) {
        ClusterConfig.Peer me = config.selfPeer();
        RaftGroupId groupId = groupId(config.group());
        RaftGroup group = RaftGroup.valueOf(groupId, config.peers().stream().map(RatisTopologyLog::peer).toList());
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
        int colon = me.raft().lastIndexOf(':');
        GrpcConfigKeys.Server.setHost(p, me.raft().substring(0, colon));
        GrpcConfigKeys.Server.setPort(p, Integer.parseInt(me.raft().substring(colon + 1)));
        Parameters transport = new Parameters();
        RaftCallGuard guard = new RaftCallGuard(refusals);
        GrpcConfigKeys.Server.setServicesCustomizer(transport, (builder, types) -> builder.intercept(guard));
        // one TLS setting for the server port, the connections to the peers and (unused) Ratis clients
        config.tls().ifPresent(tls -> GrpcConfigKeys.TLS.setConf(transport, tls(tls, refusals)));
        RaftServerConfigKeys.setStorageDir(p, List.of(config.storage().toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(config.electionMin()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(config.electionMax()));
        // a leader that stops hearing a majority steps down; Ratis then keeps it out of elections for this long
        // (10 s by default), and with one root down the other follower cannot win without its vote when its log is
        // shorter: no leader, no writes, for 10 s after a moment's cut (RootClusterIT). Pre-vote already keeps a root
        // that is the one cut off from disturbing the others, so one election timeout is enough.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, millis(config.electionMax()));
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, APPENDER_RETRY_POLICY);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEvery());
        // purge the log up to each snapshot even when a root is down: it installs the snapshot when it is back
        // (else one dead root would keep the whole log for ever)
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        // purge at each snapshot: Ratis purges only once the snapshot is purgeGap (default 1024) entries past the
        // last purge; with several commands per entry a group may take fewer entries than that between snapshots
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(1024, config.snapshotEvery())));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.segmentBytes()));
        // no commit-index entries in the log: a restarted root learns the commit index from the leader
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        tuneLog(p);
        boolean known = Files.isDirectory(config.storage().resolve(groupId.getUuid().toString()));
        try {
            Files.createDirectories(config.storage());
            RaftServer server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(me.id())).setGroup(group)
                    .setStateMachine(stateMachine).setProperties(p).setParameters(transport)
                    .setOption(known ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT).build();
            server.start();
            log.info("{}: Raft member of group {} ({} peers), raft {} ({}), storage {} ({})", me.id(), config.group(),
                    config.peers().size(), me.raft(), config.tls().map(t -> "mutual TLS, " + t.peers().size()
                            + " pinned certificate(s)").orElse("in CLEAR: anyone who reaches this port can write into the group"),
                    config.storage(), known ? "recovered" : "formatted");
            return new RatisTopologyLog(config, server, groupId, clock, refusals);
        } catch (IOException e) {
            throw new UncheckedIOException("root " + me.id() + ": cannot start its Raft server on " + me.raft()
                    + " with storage " + config.storage() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The log's write path stays Ratis's synchronous flush: an entry counts as written on a root
     * only once its log file is fsynced, and as committed once that is so on a majority. Neither
     * {@code unsafe-flush} (the flushed index moves before the fsync) nor {@code async-flush} (in
     * 3.2.0 the flushed index moves, when a flush completes, to the last entry WRITTEN by then,
     * which may be after the fsync began, and also when the flush failed) is durable. The log
     * worker batches fsyncs by itself: entries queued while one fsync runs share the next.
     */
    private static void tuneLog(RaftProperties p) {
        RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, false);
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
    }

    private static TimeDuration millis(Duration d) {
        return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    RaftServer.Division division() {
        try {
            return server.getDivision(groupId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * On the leader: the command joins the next log entry ({@link ProposalBatcher}); the reply
     * is the one computed when the entry was applied here, after its commit on a majority.
     */
    @Override
    public CompletableFuture<RootMessage> append(RootMessage command) {
        RaftServer.Division d = division();
        if (!d.getInfo().isLeader()) {
            return CompletableFuture.completedFuture(notLeader(Optional.ofNullable(d.getInfo().getLeaderId())));
        }
        return batcher.offer(command).completeOnTimeout(notCommitted(), config.commitTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** One log entry of these commands, stamped with this root's clock. */
    private CompletableFuture<List<RootMessage>> propose(List<RootMessage> commands) {
        long call = calls.incrementAndGet();
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(self)
                .setGroupId(groupId).setCallId(call)
                .setMessage(CommandCodec.commands(commands, clock.millis(), config.self(), call))
                .setType(RaftClientRequest.writeRequestType()).build();
        CompletableFuture<RaftClientReply> sent;
        try {
            sent = server.submitClientRequestAsync(request);
        } catch (IOException e) {
            return CompletableFuture.completedFuture(java.util.Collections.nCopies(commands.size(), new ErrorReply(
                    ControlErrors.INTERNAL, "root " + config.self() + " could not propose the change: " + e.getMessage())));
        }
        // the slot comes back after the commit timeout even if Ratis never answers (the clients retry)
        return sent.handle((reply, error) -> toReplies(reply, error, commands.size())).completeOnTimeout(
                java.util.Collections.nCopies(commands.size(), notCommitted()), config.commitTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private ErrorReply notCommitted() {
        return new ErrorReply(ControlErrors.INTERNAL, "root " + config.self() + ": not committed within "
                + config.commitTimeout().toMillis() + " ms (retry)");
    }

    private List<RootMessage> toReplies(RaftClientReply reply, Throwable error, int commands) {
        if (error == null && reply.isSuccess()) {
            List<RootMessage> replies = CommandCodec.replies(reply.getMessage());
            if (replies != null && replies.size() == commands) {
                return replies;
            }
            return java.util.Collections.nCopies(commands, new ErrorReply(ControlErrors.INTERNAL, "root " + config.self()
                    + ": unreadable reply"));
        }
        return java.util.Collections.nCopies(commands, toReply(reply, error));
    }

    private RootMessage toReply(RaftClientReply reply, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof NotLeaderException nle) {
                return notLeader(Optional.ofNullable(nle.getSuggestedLeader()).map(RaftPeer::getId));
            }
            return new ErrorReply(ControlErrors.INTERNAL, "root " + config.self() + ": " + cause);
        }
        if (reply.isSuccess()) {
            RootMessage m = CommandCodec.reply(reply.getMessage());
            return m != null ? m : new ErrorReply(ControlErrors.INTERNAL, "root " + config.self() + ": unreadable reply");
        }
        NotLeaderException nle = reply.getNotLeaderException();
        if (nle != null) {
            return notLeader(Optional.ofNullable(nle.getSuggestedLeader()).map(RaftPeer::getId));
        }
        if (reply.getLeaderNotReadyException() != null) {
            return notLeader(Optional.empty());
        }
        return new ErrorReply(ControlErrors.INTERNAL, "root " + config.self() + ": " + reply.getException());
    }

    private ErrorReply notLeader(Optional<RaftPeerId> leader) {
        return LeaderHint.notLeader(config.self(), leader.filter(l -> !l.equals(self)).flatMap(this::controlEndpoint));
    }

    /** A peer's control endpoint: from the config, or from the group's configuration (a root added at run time). */
    Optional<String> controlEndpoint(RaftPeerId id) {
        Optional<String> configured = config.peer(id.toString()).map(ClusterConfig.Peer::controlEndpoint);
        if (configured.isPresent()) {
            return configured;
        }
        RaftPeer peer = division().getRaftConf().getPeer(id);
        return peer == null || peer.getClientAddress() == null || peer.getClientAddress().isEmpty()
                ? Optional.empty() : Optional.of("tcp://" + peer.getClientAddress());
    }

    /** Where this root stands in the group, in Ratis terms. */
    public RaftStatus raftStatus() {
        return RaftStatus.of(division(), config.self());
    }

    /** Where this root stands in the group (for {@code tendrilctl roots}). */
    @Override
    public RootsStatus status() {
        RaftServer.Division d = division();
        RaftStatus s = RaftStatus.of(d, config.self());
        java.util.Map<String, Long> match = new java.util.HashMap<>();
        s.followers().forEach(f -> match.put(f.id(), f.matchIndex()));
        if (d.getInfo().isLeader()) {
            match.put(config.self(), d.getRaftLog().getLastEntryTermIndex().getIndex());
        }
        List<RootMember> members = d.getRaftConf().getCurrentPeers().stream()
                .map(p -> new RootMember(p.getId().toString(), p.getAddress(),
                        controlEndpoint(p.getId()).map(e -> e.substring("tcp://".length())).orElse(""),
                        match.getOrDefault(p.getId().toString(), -1L)))
                .sorted(java.util.Comparator.comparing(RootMember::id)).toList();
        return new RootsStatus(config.self(), s.role(), s.leader(), s.term(), s.commitIndex(), s.appliedIndex(), members);
    }

    /** Raft reconfiguration (on the leader): the new members replace the old once the new configuration is committed. */
    @Override
    public RootMessage change(ChangeRoots request) {
        RaftServer.Division d = division();
        if (!d.getInfo().isLeader()) {
            return notLeader(Optional.ofNullable(d.getInfo().getLeaderId()));
        }
        List<RaftPeer> peers = new java.util.ArrayList<>();
        for (RootMember m : request.members()) {
            if (m.id().isEmpty() || m.raft().lastIndexOf(':') <= 0) {
                return new ErrorReply(ControlErrors.INVALID, "root '" + m.id() + "': needs an id and raft host:port, got '"
                        + m.raft() + "'");
            }
            RaftPeer.Builder b = RaftPeer.newBuilder().setId(m.id()).setAddress(m.raft());
            if (!m.control().isEmpty()) {
                b.setClientAddress(m.control());
            }
            peers.add(b.build());
        }
        try {
            RaftClientReply reply = server.setConfigurationAsync(new SetConfigurationRequest(clientId, self, groupId,
                    calls.incrementAndGet(), peers)).get(RECONFIGURATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (reply.isSuccess()) {
                log.info("{}: the group's members are now {}", config.self(),
                        request.members().stream().map(RootMember::id).toList());
                return new Ack();
            }
            return toReply(reply, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ErrorReply(ControlErrors.INTERNAL, "interrupted while changing the members");
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return toReply(null, e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e);
        }
    }

    @Override
    public void close() {
        batcher.close();
        try {
            server.close();
        } catch (IOException e) {
            log.warn("{}: closing the Raft server failed: {}", config.self(), e.toString());
        }
    }
}
