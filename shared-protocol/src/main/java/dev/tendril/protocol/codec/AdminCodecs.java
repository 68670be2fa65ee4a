package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.AdminMessage.Deploy;
import dev.tendril.protocol.message.AdminMessage.DeployReply;
import dev.tendril.protocol.message.AdminMessage.DeploymentView;
import dev.tendril.protocol.message.AdminMessage.Figure;
import dev.tendril.protocol.message.AdminMessage.NodesQuery;
import dev.tendril.protocol.message.AdminMessage.NodesReply;
import dev.tendril.protocol.message.AdminMessage.PlatformView;
import dev.tendril.protocol.message.AdminMessage.Remove;
import dev.tendril.protocol.message.AdminMessage.RemoveReply;
import dev.tendril.protocol.message.AdminMessage.StatsQuery;
import dev.tendril.protocol.message.AdminMessage.StatsReply;
import dev.tendril.protocol.message.AdminMessage.TreeRequest;
import dev.tendril.protocol.message.MessageType;

import java.util.List;

import static dev.tendril.protocol.codec.MessageCodec.of;

/** Codecs of the admin messages ({@link dev.tendril.protocol.message.AdminMessage}). */
public final class AdminCodecs {
    private AdminCodecs() {
    }

    public static List<MessageCodec<?>> all() {
        return List.of(
                of(MessageType.ADMIN_DEPLOY, Deploy.class,
                        (w, m) -> w.struct(2).string(m.auth()).string(m.specYaml()),
                        r -> r.struct(f -> new Deploy(f.string(), f.string()))),
                of(MessageType.ADMIN_DEPLOY_REPLY, DeployReply.class,
                        (w, m) -> w.struct(6).string(m.outcome()).string(m.service()).string(m.instanceId())
                                .string(m.parentId()).stringList(m.problems()).string(m.detail()),
                        r -> r.struct(f -> new DeployReply(f.string(), f.string(), f.string(), f.string(),
                                f.stringList(), f.string()))),
                of(MessageType.ADMIN_REMOVE, Remove.class,
                        (w, m) -> w.struct(2).string(m.auth()).string(m.service()),
                        r -> r.struct(f -> new Remove(f.string(), f.string()))),
                of(MessageType.ADMIN_REMOVE_REPLY, RemoveReply.class,
                        (w, m) -> w.struct(3).string(m.outcome()).string(m.service()).string(m.detail()),
                        r -> r.struct(f -> new RemoveReply(f.string(), f.string(), f.string()))),
                of(MessageType.ADMIN_STATS_QUERY, StatsQuery.class,
                        (w, m) -> w.struct(1).string(m.auth()),
                        r -> r.struct(f -> new StatsQuery(f.string()))),
                of(MessageType.ADMIN_STATS_REPLY, StatsReply.class,
                        (w, m) -> w.struct(7).string(m.nodeId()).string(m.runtime()).list(m.hardware(), AdminCodecs::figure)
                                .stringList(m.gpus()).list(m.deployments(), AdminCodecs::deploymentView)
                                .string(m.latencyProbe()).list(m.counters(), AdminCodecs::figure),
                        r -> r.struct(f -> new StatsReply(f.string(), f.string(), f.list(AdminCodecs::figure),
                                f.stringList(), f.list(AdminCodecs::deploymentView), f.string(), f.list(AdminCodecs::figure)))),
                of(MessageType.ADMIN_NODES_QUERY, NodesQuery.class,
                        (w, m) -> w.struct(1).string(m.auth()),
                        r -> r.struct(f -> new NodesQuery(f.string()))),
                of(MessageType.ADMIN_NODES_REPLY, NodesReply.class,
                        (w, m) -> w.struct(1).list(m.platforms(), AdminCodecs::platformView),
                        r -> r.struct(f -> new NodesReply(f.list(AdminCodecs::platformView)))),
                of(MessageType.ADMIN_TREE_REQUEST, TreeRequest.class,
                        (w, m) -> w.struct(2).string(m.auth()).string(m.service()),
                        r -> r.struct(f -> new TreeRequest(f.string(), f.string()))));
    }

    static void figure(BodyWriter out, Figure f) {
        out.struct(2).string(f.name()).string(f.value());
    }

    static Figure figure(BodyReader in) {
        return in.struct(f -> new Figure(f.string(), f.string()));
    }

    static void deploymentView(BodyWriter out, DeploymentView v) {
        out.struct(10).string(v.service()).string(v.instanceId()).string(v.image()).bool(v.running()).bool(v.adopted())
                .string(v.parentId()).stringList(v.childIds()).bool(v.registered()).int64(v.sinceMillis())
                .string(v.health());
    }

    static DeploymentView deploymentView(BodyReader in) {
        return in.struct(f -> new DeploymentView(f.string(), f.string(), f.string(), f.bool(), f.bool(), f.string(),
                f.stringList(), f.bool(), f.int64(), f.hasField() ? f.string() : ""));
    }

    static void platformView(BodyWriter out, PlatformView p) {
        out.struct(11).string(p.id()).string(p.name()).string(p.address()).float64(p.latitude()).float64(p.longitude())
                .string(p.arch()).float64(p.cpus()).int64(p.ramBytes()).int64(p.diskBytes()).int32(p.gpus()).bool(p.self());
    }

    static PlatformView platformView(BodyReader in) {
        return in.struct(f -> new PlatformView(f.string(), f.string(), f.string(), f.float64(), f.float64(), f.string(),
                f.float64(), f.int64(), f.int64(), f.int32(), f.bool()));
    }
}
