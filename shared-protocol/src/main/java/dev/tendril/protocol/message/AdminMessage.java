package dev.tendril.protocol.message;

import java.util.List;
import java.util.Objects;

/**
 * Messages of a node's local admin socket ({@code tendrilctl} to an edge node). Every
 * request carries {@code auth}, an HMAC over the envelope and the request (see
 * {@link AdminAuth}); a node answers a request whose auth does not verify with
 * {@link RootMessage.ErrorReply} code UNAUTHORIZED and does nothing. These messages are
 * never accepted on the tree socket.
 */
public sealed interface AdminMessage extends Message {

    /** An admin request: authenticated by {@link #auth()} over {@link #signedPayload()}. */
    sealed interface Request extends AdminMessage {
        String auth();

        /** The request's fields as one text, covered by the HMAC. */
        String signedPayload();
    }

    /** Deploy the spec (YAML text, validated again on the node). Reply: {@link DeployReply}. */
    record Deploy(String auth, String specYaml) implements Request {
        public Deploy {
            Objects.requireNonNull(auth, "auth");
            Objects.requireNonNull(specYaml, "specYaml");
        }
        public String signedPayload() { return specYaml; }
        public MessageType type() { return MessageType.ADMIN_DEPLOY; }
    }

    /**
     * Reply to {@link Deploy}. {@code outcome}: "deployed", "already-deployed", "rejected"
     * (nothing was started; {@code problems} says why) or "failed" (the runtime failed).
     * {@code parentId} is the tree parent the root assigned ("" for the top node or while
     * registration is pending; {@code detail} says which).
     */
    record DeployReply(String outcome, String service, String instanceId, String parentId, List<String> problems,
                       String detail) implements AdminMessage {
        public DeployReply {
            Objects.requireNonNull(outcome, "outcome");
            service = service == null ? "" : service;
            instanceId = instanceId == null ? "" : instanceId;
            parentId = parentId == null ? "" : parentId;
            problems = List.copyOf(problems);
            detail = detail == null ? "" : detail;
        }
        public MessageType type() { return MessageType.ADMIN_DEPLOY_REPLY; }
    }

    /** Remove the service from this node (stop its instance, sign off). Reply: {@link RemoveReply}. */
    record Remove(String auth, String service) implements Request {
        public Remove {
            Objects.requireNonNull(auth, "auth");
            Names.requireDnsLabel("service", service);
        }
        public String signedPayload() { return service; }
        public MessageType type() { return MessageType.ADMIN_REMOVE; }
    }

    /** Reply to {@link Remove}. {@code outcome}: "removed", "not-deployed" or "failed". */
    record RemoveReply(String outcome, String service, String detail) implements AdminMessage {
        public RemoveReply {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(service, "service");
            detail = detail == null ? "" : detail;
        }
        public MessageType type() { return MessageType.ADMIN_REMOVE_REPLY; }
    }

    /** The node's hardware, deployments and counters. Reply: {@link StatsReply}. */
    record StatsQuery(String auth) implements Request {
        public StatsQuery {
            Objects.requireNonNull(auth, "auth");
        }
        public String signedPayload() { return ""; }
        public MessageType type() { return MessageType.ADMIN_STATS_QUERY; }
    }

    /** One hosted service as {@code stats} shows it. */
    record DeploymentView(String service, String instanceId, String image, boolean running, boolean adopted,
                          String parentId, List<String> childIds, boolean registered, long sinceMillis, String health) {
        public DeploymentView {
            Objects.requireNonNull(service, "service");
            instanceId = instanceId == null ? "" : instanceId;
            image = image == null ? "" : image;
            parentId = parentId == null ? "" : parentId;
            childIds = List.copyOf(childIds);
            health = health == null ? "" : health;
        }

        /** A view without health (as sent by nodes before health checks: "" = not told). */
        public DeploymentView(String service, String instanceId, String image, boolean running, boolean adopted,
                              String parentId, List<String> childIds, boolean registered, long sinceMillis) {
            this(service, instanceId, image, running, adopted, parentId, childIds, registered, sinceMillis, "");
        }
    }

    /** One named counter or figure ("tree.malformed", "cpu.load" ...), as text for display. */
    record Figure(String name, String value) {
        public Figure {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Reply to {@link StatsQuery}: the node, its runtime, hardware figures (window means as
     * fractions, sizes in bytes), GPU lines, its deployments, the latency probe's status, and
     * counters of its sockets.
     */
    record StatsReply(String nodeId, String runtime, List<Figure> hardware, List<String> gpus,
                      List<DeploymentView> deployments, String latencyProbe, List<Figure> counters)
            implements AdminMessage {
        public StatsReply {
            Names.requireDnsLabel("node id", nodeId);
            Objects.requireNonNull(runtime, "runtime");
            hardware = List.copyOf(hardware);
            gpus = List.copyOf(gpus);
            deployments = List.copyOf(deployments);
            latencyProbe = latencyProbe == null ? "" : latencyProbe;
            counters = List.copyOf(counters);
        }
        public MessageType type() { return MessageType.ADMIN_STATS_REPLY; }
    }

    /** The platforms of the node's infrastructure DB. Reply: {@link NodesReply}. */
    record NodesQuery(String auth) implements Request {
        public NodesQuery {
            Objects.requireNonNull(auth, "auth");
        }
        public String signedPayload() { return ""; }
        public MessageType type() { return MessageType.ADMIN_NODES_QUERY; }
    }

    /** One platform as {@code nodes} shows it; sizes in bytes, {@code self} marks the answering node. */
    record PlatformView(String id, String name, String address, double latitude, double longitude, String arch,
                        double cpus, long ramBytes, long diskBytes, int gpus, boolean self) {
        public PlatformView {
            Names.requireDnsLabel("platform id", id);
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(arch, "arch");
        }
    }

    /** Reply to {@link NodesQuery}. */
    record NodesReply(List<PlatformView> platforms) implements AdminMessage {
        public NodesReply {
            platforms = List.copyOf(platforms);
        }
        public MessageType type() { return MessageType.ADMIN_NODES_REPLY; }
    }

    /**
     * The trees as the root knows them, asked of the root by the node (one tree, or all when
     * {@code service} is ""). Reply: {@link RootMessage.TreeListing}, or an ErrorReply
     * UNAVAILABLE when no root answers.
     */
    record TreeRequest(String auth, String service) implements Request {
        public TreeRequest {
            Objects.requireNonNull(auth, "auth");
            service = service == null ? "" : service;
            if (!service.isEmpty()) {
                Names.requireDnsLabel("service", service);
            }
        }
        public String signedPayload() { return service; }
        public MessageType type() { return MessageType.ADMIN_TREE_REQUEST; }
    }

    /**
     * The node's self-organization events after {@code afterSeq} (0: from the oldest kept), of
     * one service ("" = all), at most {@code limit}. Reply: {@link EventsReply}.
     */
    record EventsQuery(String auth, String service, long afterSeq, int limit) implements Request {
        public EventsQuery {
            Objects.requireNonNull(auth, "auth");
            service = service == null ? "" : service;
            if (!service.isEmpty()) {
                Names.requireDnsLabel("service", service);
            }
            if (afterSeq < 0 || limit < 1) {
                throw new IllegalArgumentException("afterSeq must be >= 0 and limit >= 1");
            }
        }
        public String signedPayload() { return service + "\n" + afterSeq + "\n" + limit; }
        public MessageType type() { return MessageType.ADMIN_EVENTS_QUERY; }
    }

    /** One self-organization event (see docs/self-organization.md); {@code containerStartMillis} -1 when not a start. */
    record EventView(long seq, long atMillis, String nodeId, String service, String kind, String correlationId,
                     String detail, long containerStartMillis) {
        public EventView {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(kind, "kind");
            correlationId = correlationId == null ? "" : correlationId;
            detail = detail == null ? "" : detail;
        }
    }

    /** Reply to {@link EventsQuery}: the events, and timing figures computed from all events the node keeps. */
    record EventsReply(String nodeId, List<EventView> events, List<Figure> timings) implements AdminMessage {
        public EventsReply {
            Objects.requireNonNull(nodeId, "nodeId");
            events = List.copyOf(events);
            timings = List.copyOf(timings);
        }
        public MessageType type() { return MessageType.ADMIN_EVENTS_REPLY; }
    }
}
