package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.RootMessage;
import dev.tendril.protocol.message.RootMessage.Ack;
import dev.tendril.protocol.message.RootMessage.ConditionalSignOff;
import dev.tendril.protocol.message.RootMessage.CreateTree;
import dev.tendril.protocol.message.RootMessage.EnrolKey;
import dev.tendril.protocol.message.RootMessage.EnrolledKey;
import dev.tendril.protocol.message.RootMessage.ErrorReply;
import dev.tendril.protocol.message.RootMessage.KeyListing;
import dev.tendril.protocol.message.RootMessage.KeyRole;
import dev.tendril.protocol.message.RootMessage.KeysQuery;
import dev.tendril.protocol.message.RootMessage.KeysUnchanged;
import dev.tendril.protocol.message.RootMessage.RevokeKey;
import dev.tendril.protocol.message.RootMessage.HostedSet;
import dev.tendril.protocol.message.RootMessage.HostedSetQuery;
import dev.tendril.protocol.message.RootMessage.Membership;
import dev.tendril.protocol.message.RootMessage.MembershipQuery;
import dev.tendril.protocol.message.RootMessage.MigrationListing;
import dev.tendril.protocol.message.RootMessage.MigrationView;
import dev.tendril.protocol.message.RootMessage.MigrationsQuery;
import dev.tendril.protocol.message.RootMessage.NodeState;
import dev.tendril.protocol.message.RootMessage.OrphanReport;
import dev.tendril.protocol.message.RootMessage.RecordMigration;
import dev.tendril.protocol.message.RootMessage.RegisterNode;
import dev.tendril.protocol.message.RootMessage.Registered;
import dev.tendril.protocol.message.RootMessage.ResolveAnswer;
import dev.tendril.protocol.message.RootMessage.ResolveQuery;
import dev.tendril.protocol.message.RootMessage.SignOff;
import dev.tendril.protocol.message.RootMessage.SignOffDecision;
import dev.tendril.protocol.message.RootMessage.TreeListing;
import dev.tendril.protocol.message.RootMessage.TreeNodeView;
import dev.tendril.protocol.message.RootMessage.TreeQuery;
import dev.tendril.protocol.message.RootMessage.RootsQuery;
import dev.tendril.protocol.message.RootMessage.RootsStatus;
import dev.tendril.protocol.message.RootMessage.RootMember;
import dev.tendril.protocol.message.RootMessage.ChangeRoots;

import java.util.List;

import static dev.tendril.protocol.codec.MessageCodec.of;

/**
 * Codecs of the root control messages ({@link dev.tendril.protocol.message.RootMessage}).
 * Each body is a struct of the record's fields in declaration order.
 */
public final class RootCodecs {
    private RootCodecs() {
    }

    public static List<MessageCodec<?>> all() {
        return List.of(
                of(MessageType.ACK, Ack.class,
                        (w, m) -> w.struct(0),
                        r -> r.struct(f -> new Ack())),
                of(MessageType.ERROR, ErrorReply.class,
                        (w, m) -> w.struct(2).string(m.code()).string(m.message()),
                        r -> r.struct(f -> new ErrorReply(f.string(), f.string()))),
                of(MessageType.CREATE_TREE, CreateTree.class,
                        (w, m) -> ValueCodecs.nodeInfo(w.struct(2).string(m.service()), m.node()),
                        r -> r.struct(f -> new CreateTree(f.string(), ValueCodecs.nodeInfo(f)))),
                of(MessageType.REGISTER_NODE, RegisterNode.class,
                        (w, m) -> ValueCodecs.nodeInfo(w.struct(2).string(m.service()), m.node()),
                        r -> r.struct(f -> new RegisterNode(f.string(), ValueCodecs.nodeInfo(f)))),
                of(MessageType.REGISTERED, Registered.class,
                        (w, m) -> w.struct(3).string(m.service()).string(m.nodeId())
                                .optional(m.parent(), ValueCodecs::nodeInfo),
                        r -> r.struct(f -> new Registered(f.string(), f.string(), f.optional(ValueCodecs::nodeInfo)))),
                of(MessageType.SIGN_OFF, SignOff.class,
                        (w, m) -> w.struct(2).string(m.service()).string(m.nodeId()),
                        r -> r.struct(f -> new SignOff(f.string(), f.string()))),
                of(MessageType.ORPHAN_REPORT, OrphanReport.class,
                        (w, m) -> w.struct(3).string(m.service()).string(m.nodeId()).string(m.deadParentId()),
                        r -> r.struct(f -> new OrphanReport(f.string(), f.string(), f.string()))),
                of(MessageType.NODE_STATE, NodeState.class,
                        (w, m) -> w.struct(3).string(m.service()).string(m.nodeId()).bool(m.live()),
                        r -> r.struct(f -> new NodeState(f.string(), f.string(), f.bool()))),
                of(MessageType.RECORD_MIGRATION, RecordMigration.class,
                        (w, m) -> w.struct(4).string(m.service()).stringList(m.clients())
                                .string(m.targetNodeId()).int64(m.lifetimeMillis()),
                        r -> r.struct(f -> new RecordMigration(f.string(), f.stringList(), f.string(), f.int64()))),
                of(MessageType.HOSTED_SET_QUERY, HostedSetQuery.class,
                        (w, m) -> w.struct(1).string(m.service()),
                        r -> r.struct(f -> new HostedSetQuery(f.string()))),
                of(MessageType.HOSTED_SET, HostedSet.class,
                        (w, m) -> w.struct(2).string(m.service()).stringList(m.nodeIds()),
                        r -> r.struct(f -> new HostedSet(f.string(), f.stringList()))),
                of(MessageType.MEMBERSHIP_QUERY, MembershipQuery.class,
                        (w, m) -> w.struct(4).string(m.service()).string(m.nodeId())
                                .optional(m.near(), ValueCodecs::geoPoint).int32(m.nearest()),
                        r -> r.struct(f -> new MembershipQuery(f.string(), f.string(), f.optional(ValueCodecs::geoPoint),
                                f.int32()))),
                of(MessageType.MEMBERSHIP, Membership.class,
                        (w, m) -> w.struct(5).string(m.service()).string(m.nodeId()).bool(m.member()).bool(m.live())
                                .stringList(m.nearest()),
                        r -> r.struct(f -> new Membership(f.string(), f.string(), f.bool(), f.bool(), f.stringList()))),
                of(MessageType.REGISTRATION_WATCH, RootMessage.RegistrationWatch.class,
                        (w, m) -> w.struct(3).string(m.service()).string(m.nodeId()).int64(m.holdMillis()),
                        r -> r.struct(f -> new RootMessage.RegistrationWatch(f.string(), f.string(), f.int64()))),
                of(MessageType.REGISTRATION_SEEN, RootMessage.RegistrationSeen.class,
                        (w, m) -> w.struct(4).string(m.service()).string(m.nodeId()).optional(m.node(), ValueCodecs::nodeInfo)
                                .string(m.detail()),
                        r -> r.struct(f -> new RootMessage.RegistrationSeen(f.string(), f.string(),
                                f.optional(ValueCodecs::nodeInfo), f.string()))),
                of(MessageType.TREE_QUERY, TreeQuery.class,
                        (w, m) -> w.struct(1).string(m.service()),
                        r -> r.struct(f -> new TreeQuery(f.string()))),
                of(MessageType.TREE_LISTING, TreeListing.class,
                        (w, m) -> w.struct(1).list(m.nodes(), RootCodecs::treeNodeView),
                        r -> r.struct(f -> new TreeListing(f.list(RootCodecs::treeNodeView)))),
                of(MessageType.MIGRATIONS_QUERY, MigrationsQuery.class,
                        (w, m) -> w.struct(1).string(m.service()),
                        r -> r.struct(f -> new MigrationsQuery(f.string()))),
                of(MessageType.MIGRATION_LISTING, MigrationListing.class,
                        (w, m) -> w.struct(1).list(m.migrations(), RootCodecs::migrationView),
                        r -> r.struct(f -> new MigrationListing(f.list(RootCodecs::migrationView)))),
                of(MessageType.RESOLVE_QUERY, ResolveQuery.class,
                        (w, m) -> w.struct(2).string(m.service()).string(m.client()),
                        r -> r.struct(f -> new ResolveQuery(f.string(), f.string()))),
                of(MessageType.RESOLVE_ANSWER, ResolveAnswer.class,
                        (w, m) -> w.struct(4).string(m.service()).string(m.client())
                                .list(m.instances(), ValueCodecs::nodeInfo).string(m.basis()),
                        r -> r.struct(f -> new ResolveAnswer(f.string(), f.string(),
                                f.list(ValueCodecs::nodeInfo), f.string()))),
                of(MessageType.CONDITIONAL_SIGN_OFF, ConditionalSignOff.class,
                        (w, m) -> w.struct(3).string(m.service()).string(m.nodeId()).int32(m.minInstances()),
                        r -> r.struct(f -> new ConditionalSignOff(f.string(), f.string(), f.int32()))),
                of(MessageType.SIGN_OFF_DECISION, SignOffDecision.class,
                        (w, m) -> w.struct(5).string(m.service()).string(m.nodeId()).bool(m.granted())
                                .int32(m.liveInstances()).int32(m.minInstances()),
                        r -> r.struct(f -> new SignOffDecision(f.string(), f.string(), f.bool(), f.int32(), f.int32()))),
                of(MessageType.ROOT_STATS_QUERY, RootMessage.RootStatsQuery.class,
                        (w, m) -> w.struct(0),
                        r -> r.struct(f -> new RootMessage.RootStatsQuery())),
                of(MessageType.ROOT_RELOAD, RootMessage.RootReload.class,
                        (w, m) -> w.struct(0),
                        r -> r.struct(f -> new RootMessage.RootReload())),
                of(MessageType.ROOT_STATS, RootMessage.RootStats.class,
                        (w, m) -> w.struct(2).string(m.rootId()).list(m.counters(), AdminCodecs::figure),
                        r -> r.struct(f -> new RootMessage.RootStats(f.string(), f.list(AdminCodecs::figure)))),
                of(MessageType.ENROL_KEY, EnrolKey.class,
                        (w, m) -> w.struct(3).string(m.role().label()).string(m.name()).string(m.publicKey()),
                        r -> r.struct(f -> new EnrolKey(KeyRole.fromLabel(f.string()), f.string(), f.string()))),
                of(MessageType.REVOKE_KEY, RevokeKey.class,
                        (w, m) -> w.struct(3).string(m.role().label()).string(m.name()).string(m.publicKey()),
                        r -> r.struct(f -> new RevokeKey(KeyRole.fromLabel(f.string()), f.string(), f.string()))),
                // the digest and the hold were appended later: a frame of an older peer has none ("", 0)
                of(MessageType.KEYS_QUERY, KeysQuery.class,
                        (w, m) -> w.struct(2).string(m.knownDigest()).int64(m.holdMillis()),
                        r -> r.struct(f -> new KeysQuery(f.hasField() ? f.string() : "", f.hasField() ? f.int64() : 0))),
                of(MessageType.KEY_LISTING, KeyListing.class,
                        (w, m) -> w.struct(2).list(m.keys(), RootCodecs::enrolledKey).string(m.digest()),
                        r -> r.struct(f -> new KeyListing(f.list(RootCodecs::enrolledKey), f.hasField() ? f.string() : ""))),
                of(MessageType.KEYS_UNCHANGED, KeysUnchanged.class,
                        (w, m) -> w.struct(1).string(m.digest()),
                        r -> r.struct(f -> new KeysUnchanged(f.string()))),
                of(MessageType.ROOTS_QUERY, RootsQuery.class,
                        (w, m) -> w.struct(0),
                        r -> r.struct(f -> new RootsQuery())),
                of(MessageType.ROOTS_STATUS, RootsStatus.class,
                        (w, m) -> w.struct(7).string(m.rootId()).string(m.role()).string(m.leaderId()).int64(m.term())
                                .int64(m.commitIndex()).int64(m.appliedIndex()).list(m.members(), RootCodecs::rootMember),
                        r -> r.struct(f -> new RootsStatus(f.string(), f.string(), f.string(), f.int64(), f.int64(),
                                f.int64(), f.list(RootCodecs::rootMember)))),
                of(MessageType.CHANGE_ROOTS, ChangeRoots.class,
                        (w, m) -> w.struct(1).list(m.members(), RootCodecs::rootMember),
                        r -> r.struct(f -> new ChangeRoots(f.list(RootCodecs::rootMember)))));
    }

    static void rootMember(BodyWriter out, RootMember m) {
        out.struct(4).string(m.id()).string(m.raft()).string(m.control()).int64(m.matchIndex());
    }

    static RootMember rootMember(BodyReader in) {
        return in.struct(f -> new RootMember(f.string(), f.string(), f.string(), f.int64()));
    }

    static void treeNodeView(BodyWriter out, TreeNodeView v) {
        ValueCodecs.nodeInfo(out.struct(5).string(v.service()), v.node());
        out.string(v.parentId()).bool(v.live()).int64(v.registeredAtMillis());
    }

    static TreeNodeView treeNodeView(BodyReader in) {
        return in.struct(f -> new TreeNodeView(f.string(), ValueCodecs.nodeInfo(f), f.string(), f.bool(), f.int64()));
    }

    static void enrolledKey(BodyWriter out, EnrolledKey k) {
        out.struct(4).string(k.role().label()).string(k.name()).string(k.publicKey()).int64(k.enrolledAtMillis());
    }

    static EnrolledKey enrolledKey(BodyReader in) {
        return in.struct(f -> new EnrolledKey(KeyRole.fromLabel(f.string()), f.string(), f.string(), f.int64()));
    }

    static void migrationView(BodyWriter out, MigrationView v) {
        out.struct(5).string(v.service()).string(v.client()).string(v.targetNodeId())
                .int64(v.createdAtMillis()).int64(v.expiresAtMillis());
    }

    static MigrationView migrationView(BodyReader in) {
        return in.struct(f -> new MigrationView(f.string(), f.string(), f.string(), f.int64(), f.int64()));
    }
}
