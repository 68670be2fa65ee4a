package dev.tendril.root.adapter.out.ratis;

import dev.tendril.protocol.keys.CurveKeyFiles;
import dev.tendril.protocol.keys.TlsKeyFiles;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.refusal.RefusalLog;
import dev.tendril.protocol.transport.ClientOptions;
import dev.tendril.protocol.transport.CurveKeyPair;
import dev.tendril.root.bootstrap.ControlCalls;
import dev.tendril.root.testing.Poll;
import dev.tendril.root.testing.RootCluster;
import dev.tendril.root.testing.RootCluster.Member;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.util.TimeDuration;
import dev.tendril.root.testing.RootLogsOnFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strangers at a replicated root's Raft port: three real root processes (CURVE on the control
 * endpoint, the Raft transport under mutual TLS with the group's pinned certificate, as
 * {@link RootCluster} configures them) on loopback. Before the transport was secured, a Ratis
 * client holding no key of the group enrolled an operator key through the Raft port of a
 * group like this one, and every root listed it. Now each of these sends an operator-key
 * enrolment straight to the Raft port and fails: the old Netty protocol; gRPC in clear; gRPC
 * under TLS with a certificate of its own; and even a holder of the group's certificate,
 * whose call to Ratis's client protocol is refused (only Raft between members is served).
 * No root lists the key; the roots count the unpinned certificate and the refused call.
 */
class RaftTransportSecurityIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // the roots' logs stay for RootLogsOnFailure
    Path dir;

    @RegisterExtension
    final RootLogsOnFailure rootLogs = new RootLogsOnFailure(() -> dir);

    @Test
    void noStrangerAndNoMemberCanSubmitAnEntryAtTheRaftPort() throws Exception {
        CurveKeyFiles.generate(dir.resolve("keys"), "roots");
        CurveKeyPair alice = CurveKeyFiles.generate(dir.resolve("keys"), "alice");
        CurveKeyPair server = CurveKeyFiles.readPair(dir.resolve("keys/roots.key"));
        CurveKeyPair mallory = CurveKeyPair.generate();
        try (RootCluster cluster = RootCluster.configure(dir, 3)) {
            for (Member m : cluster.members()) {
                Files.writeString(m.config, "security:\n  serverKey: keys/roots.key\n  operatorKeys: {alice: keys/alice.pub}\n",
                        StandardOpenOption.APPEND);
            }
            cluster.startAll();
            Optional<ClientOptions.Curve> asAlice = Optional.of(new ClientOptions.Curve(alice, server.publicKey()));
            Poll.until(Duration.ofSeconds(20), "a leader elected", () -> leaderKnown(cluster.members().get(0), asAlice));

            RaftGroup group = RaftGroup.valueOf(RatisTopologyLog.groupId("tendril"), cluster.members().stream()
                    .map(m -> RaftPeer.newBuilder().setId(m.id).setAddress("127.0.0.1:" + m.raftPort).build()).toList());
            RootMessage enrol = new RootMessage.EnrolKey(RootMessage.KeyRole.OPERATOR, "mallory", mallory.publicKey());
            TlsKeyFiles.Identity groupKey = TlsKeyFiles.read(dir.resolve("keys/raft.tls.key"), dir.resolve("keys/raft.crt"));
            TlsKeyFiles.Identity ownKey = TlsKeyFiles.generate(dir.resolve("mallory"), "mallory");
            RefusalLog quiet = RefusalLog.perMinute(LoggerFactory.getLogger("raft-it"), Clock.systemUTC());

            assertRefused("the old Netty protocol", group, SupportedRpcType.NETTY, null, enrol);
            assertRefused("gRPC in clear", group, SupportedRpcType.GRPC, null, enrol);
            assertRefused("gRPC under TLS with its own certificate", group, SupportedRpcType.GRPC, RatisTopologyLog.tls(
                    new ClusterConfig.Tls(ownKey.key(), ownKey.certificate(), List.of(groupKey.certificate())), quiet), enrol);
            assertRefused("a holder of the group's certificate at the client protocol", group, SupportedRpcType.GRPC,
                    RatisTopologyLog.tls(new ClusterConfig.Tls(groupKey.key(), groupKey.certificate(),
                            List.of(groupKey.certificate())), quiet), enrol);

            for (Member m : cluster.members()) {
                assertFalse(lists(m, asAlice, mallory.publicKey()), m.id + " lists the stranger's operator key");
            }
            long refusedPeers = 0;
            long forbiddenCalls = 0;
            for (Member m : cluster.members()) {
                refusedPeers += figure(m, asAlice, "raft.refused_peers");
                forbiddenCalls += figure(m, asAlice, "raft.forbidden_calls");
            }
            assertTrue(refusedPeers >= 1, "the unpinned certificate is counted: raft.refused_peers " + refusedPeers);
            assertTrue(forbiddenCalls >= 1, "the client-protocol call is counted: raft.forbidden_calls " + forbiddenCalls);
        }
    }

    /** One enrolment sent straight to the Raft port, no retries: it must fail, not be acknowledged. */
    private static void assertRefused(String who, RaftGroup group, SupportedRpcType rpc, org.apache.ratis.grpc.GrpcTlsConfig tls,
                                      RootMessage enrol) {
        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, rpc);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        Parameters parameters = new Parameters();
        if (tls != null) {
            GrpcConfigKeys.TLS.setConf(parameters, tls);
        }
        RaftClientReply reply = null;
        try (RaftClient stranger = RaftClient.newBuilder().setProperties(p).setParameters(parameters).setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.noRetry()).build()) {
            reply = stranger.io().send(CommandCodec.command(enrol, System.currentTimeMillis(), "mallory", new MessageId(0, 1)));
        } catch (Exception refused) {
            return; // what a shut port does: the connection or the call fails
        }
        assertFalse(reply.isSuccess(), who + ": the Raft port acknowledged an entry: " + reply);
    }

    private static boolean leaderKnown(Member m, Optional<ClientOptions.Curve> curve) {
        try (ControlCalls c = new ControlCalls(m.controlEndpoint(), "raft-it", Duration.ofSeconds(2), 2, curve)) {
            return c.call(new RootMessage.RootsQuery()) instanceof RootMessage.RootsStatus s && !s.leaderId().isEmpty();
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static boolean lists(Member m, Optional<ClientOptions.Curve> curve, String publicKey) {
        try (ControlCalls direct = new ControlCalls(m.controlEndpoint(), "raft-it", Duration.ofSeconds(2), 2, curve)) {
            RootMessage r = direct.call(new RootMessage.KeysQuery());
            return r instanceof RootMessage.KeyListing l && l.keys().stream().anyMatch(k -> k.publicKey().equals(publicKey));
        }
    }

    private static long figure(Member m, Optional<ClientOptions.Curve> curve, String name) {
        try (ControlCalls direct = new ControlCalls(m.controlEndpoint(), "raft-it", Duration.ofSeconds(2), 2, curve)) {
            RootMessage r = direct.call(new RootMessage.RootStatsQuery());
            if (r instanceof RootMessage.RootStats s) {
                for (AdminMessage.Figure f : s.counters()) {
                    if (f.name().equals(name)) {
                        return Long.parseLong(f.value());
                    }
                }
            }
            throw new AssertionError(m.id + " has no figure " + name + ": " + r);
        }
    }
}
