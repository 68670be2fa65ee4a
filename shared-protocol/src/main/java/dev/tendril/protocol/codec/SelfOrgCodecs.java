package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.MessageType;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationNotFound;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationOffer;
import dev.tendril.protocol.message.SelfOrgMessage.MigrationSearch;
import dev.tendril.protocol.message.SelfOrgMessage.NeighbourGrids;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicaReady;
import dev.tendril.protocol.message.SelfOrgMessage.Replicate;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateReply;
import dev.tendril.protocol.message.SelfOrgMessage.ReplicateSoon;
import dev.tendril.protocol.message.SelfOrgMessage.SiblingGrid;
import dev.tendril.protocol.message.SelfOrgMessage.SubtreeGrid;

import java.util.List;

import static dev.tendril.protocol.codec.MessageCodec.of;

/** Codecs of the self-organization messages ({@link dev.tendril.protocol.message.SelfOrgMessage}). */
public final class SelfOrgCodecs {
    private SelfOrgCodecs() {
    }

    public static List<MessageCodec<?>> all() {
        return List.of(
                of(MessageType.SUBTREE_GRID, SubtreeGrid.class,
                        (w, m) -> GridCodecs.grid(w.struct(3).string(m.service()).string(m.nodeId()), m.grid()),
                        r -> r.struct(f -> new SubtreeGrid(f.string(), f.string(), GridCodecs.grid(f)))),
                of(MessageType.NEIGHBOUR_GRIDS, NeighbourGrids.class,
                        (w, m) -> {
                            GridCodecs.point(w.struct(4).string(m.service()).string(m.parentId()), m.parentPoint());
                            w.list(m.siblings(), SelfOrgCodecs::siblingGrid);
                        },
                        r -> r.struct(f -> new NeighbourGrids(f.string(), f.string(), GridCodecs.point(f),
                                f.list(SelfOrgCodecs::siblingGrid)))),
                of(MessageType.MIGRATION_SEARCH, MigrationSearch.class,
                        (w, m) -> {
                            w.struct(12).string(m.service()).string(m.requestId());
                            ValueCodecs.nodeInfo(w, m.origin());
                            ValueCodecs.geoPoint(w, m.centroid());
                            w.int32(m.users());
                            GridCodecs.capacity(w, m.need());
                            w.float64(m.reachKm()).int32(m.hops()).int32(m.hopLimit()).int64(m.deadlineMillis())
                                    .string(m.cameFrom()).bool(m.upward());
                        },
                        r -> r.struct(f -> new MigrationSearch(f.string(), f.string(), ValueCodecs.nodeInfo(f),
                                ValueCodecs.geoPoint(f), f.int32(), GridCodecs.capacity(f), f.float64(), f.int32(),
                                f.int32(), f.int64(), f.string(), f.bool()))),
                of(MessageType.MIGRATION_OFFER, MigrationOffer.class,
                        (w, m) -> {
                            ValueCodecs.nodeInfo(w.struct(5).string(m.service()).string(m.requestId()), m.target());
                            w.float64(m.distanceKm()).int32(m.hops());
                        },
                        r -> r.struct(f -> new MigrationOffer(f.string(), f.string(), ValueCodecs.nodeInfo(f), f.float64(),
                                f.int32()))),
                of(MessageType.MIGRATION_NOT_FOUND, MigrationNotFound.class,
                        (w, m) -> w.struct(5).string(m.service()).string(m.requestId()).string(m.atNodeId())
                                .string(m.reason()).int32(m.hops()),
                        r -> r.struct(f -> new MigrationNotFound(f.string(), f.string(), f.string(), f.string(), f.int32()))),
                of(MessageType.REPLICATE, Replicate.class,
                        (w, m) -> {
                            ValueCodecs.nodeInfo(w.struct(4).string(m.service()).string(m.requestId()), m.requester());
                            w.string(m.specYaml());
                        },
                        r -> r.struct(f -> new Replicate(f.string(), f.string(), ValueCodecs.nodeInfo(f), f.string()))),
                of(MessageType.REPLICATE_REPLY, ReplicateReply.class,
                        (w, m) -> w.struct(5).string(m.service()).string(m.requestId()).string(m.status()).string(m.detail())
                                .optional(m.instance(), ValueCodecs::nodeInfo),
                        r -> r.struct(f -> new ReplicateReply(f.string(), f.string(), f.string(), f.string(),
                                f.optional(ValueCodecs::nodeInfo)))),
                of(MessageType.REPLICA_READY, ReplicaReady.class,
                        (w, m) -> {
                            ValueCodecs.nodeInfo(w.struct(7).string(m.service()).string(m.requestId()), m.instance());
                            w.bool(m.ok()).int64(m.containerStartMillis()).int64(m.registeredAtMillis()).string(m.detail());
                        },
                        r -> r.struct(f -> new ReplicaReady(f.string(), f.string(), ValueCodecs.nodeInfo(f), f.bool(),
                                f.int64(), f.int64(), f.string()))),
                of(MessageType.REPLICATE_SOON, ReplicateSoon.class,
                        (w, m) -> w.struct(3).string(m.service()).string(m.requesterId()).string(m.specYaml()),
                        // the spec was appended (2026-12-06): an older node's hint has none
                        r -> r.struct(f -> new ReplicateSoon(f.string(), f.string(), f.hasField() ? f.string() : ""))));
    }

    private static void siblingGrid(BodyWriter out, SiblingGrid s) {
        ValueCodecs.nodeInfo(out.struct(2), s.node());
        GridCodecs.grid(out, s.grid());
    }

    private static SiblingGrid siblingGrid(BodyReader in) {
        return in.struct(r -> new SiblingGrid(ValueCodecs.nodeInfo(r), GridCodecs.grid(r)));
    }
}
