package dev.tendril.protocol.codec;

import dev.tendril.protocol.geo.GeoPoint;
import dev.tendril.protocol.message.NodeInfo;
import dev.tendril.protocol.message.ServicePort;

/**
 * Codecs of value types shared by several messages. Each is a struct of its fields in
 * declaration order (append-only, like messages).
 */
public final class ValueCodecs {
    private ValueCodecs() {
    }

    public static void geoPoint(BodyWriter out, GeoPoint p) {
        out.struct(2).float64(p.latitude()).float64(p.longitude());
    }

    public static GeoPoint geoPoint(BodyReader in) {
        return in.struct(r -> new GeoPoint(r.float64(), r.float64()));
    }

    public static void servicePort(BodyWriter out, ServicePort p) {
        out.struct(3).string(p.name()).string(p.protocol()).int32(p.port());
    }

    public static ServicePort servicePort(BodyReader in) {
        return in.struct(r -> new ServicePort(r.string(), r.string(), r.int32()));
    }

    public static void nodeInfo(BodyWriter out, NodeInfo n) {
        out.struct(5).string(n.nodeId()).string(n.address());
        geoPoint(out, n.position());
        out.list(n.ports(), ValueCodecs::servicePort).int32(n.overlayPort());
    }

    public static NodeInfo nodeInfo(BodyReader in) {
        return in.struct(r -> new NodeInfo(r.string(), r.string(), geoPoint(r),
                r.list(ValueCodecs::servicePort), r.int32()));
    }
}
