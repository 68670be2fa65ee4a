package dev.tendril.root.application;

import dev.tendril.geoip.domain.GeoLookup;
import dev.tendril.geoip.domain.ScopedGeoLocator;
import dev.tendril.geoip.domain.SwappableGeoLocator;
import dev.tendril.protocol.geo.GeoLocation;
import dev.tendril.protocol.geo.GeoLocator;
import dev.tendril.protocol.message.ServicePort;
import dev.tendril.protocol.net.Cidr;
import dev.tendril.root.domain.AnswerChoice;
import dev.tendril.root.domain.Choice;
import dev.tendril.root.domain.Instance;
import dev.tendril.root.domain.ServiceView;
import dev.tendril.root.domain.SpatialInstanceDirectory;
import dev.tendril.root.domain.SpatialInstanceDirectory.NodeAddress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Answers a {@link ServiceQuery} from the in-memory directory and the geo locator. Names
 * under a zone:
 * <ul>
 *   <li>apex: SOA, NS;</li>
 *   <li>{@code <service>}: A/AAAA of the chosen instance(s);</li>
 *   <li>{@code _<port>._<proto>.<service>}: SRV to {@code <nodeId>.nodes} with glue;
 *       {@code _<proto>.<service>} exists without data;</li>
 *   <li>{@code <nodeId>.nodes}: A/AAAA of the platform; {@code nodes} exists without data.</li>
 * </ul>
 * Everything else does not exist. No I/O, no locks: safe on any number of threads.
 *
 * <p>A {@link ScopedGeoLocator} also tells how wide the network of a GeoIP miss is; the
 * default-position answer then holds for that whole network (the ECS scope).
 */
public final class ResolveService {
    private static final String NODES = "nodes";

    private final SpatialInstanceDirectory directory;
    private final GeoLocator locator;
    private final Clock clock;
    private final ResolvePolicy policy;
    private final AnswerChoice choice;

    public ResolveService(SpatialInstanceDirectory directory, GeoLocator locator, Clock clock, ResolvePolicy policy) {
        this.directory = directory;
        this.locator = locator;
        this.clock = clock;
        this.policy = policy;
        this.choice = new AnswerChoice(policy.choice());
    }

    public Resolution resolve(ServiceQuery q) {
        List<String> l = q.labels();
        if (l.isEmpty()) {
            return apex(q.type());
        }
        if (l.size() == 1) {
            Optional<ServiceView> view = directory.service(l.get(0));
            if (view.isPresent()) {
                return serviceAddresses(view.get(), q);
            }
            return NODES.equals(l.get(0)) ? new Resolution.NoData(0) : new Resolution.NoSuchName();
        }
        if (l.size() == 2 && NODES.equals(l.get(1))) {
            return nodeAddress(l.get(0), q.type());
        }
        if (l.size() == 2 && isUnderscored(l.get(0))) {
            Optional<ServiceView> view = directory.service(l.get(1));
            return view.isPresent() && view.get().instances().hasProtocol(l.get(0).substring(1))
                    ? new Resolution.NoData(0) : new Resolution.NoSuchName();
        }
        if (l.size() == 3 && isUnderscored(l.get(0)) && isUnderscored(l.get(1))) {
            Optional<ServiceView> view = directory.service(l.get(2));
            String port = l.get(0).substring(1);
            String proto = l.get(1).substring(1);
            if (view.isEmpty() || !view.get().instances().hasPort(port, proto)) {
                return new Resolution.NoSuchName();
            }
            return serviceLocations(view.get(), port, proto, q);
        }
        return new Resolution.NoSuchName();
    }

    /**
     * The version of the directory the next resolution reads (see
     * {@link SpatialInstanceDirectory#version()}): read it before resolving to key a cached answer.
     */
    public long directoryVersion() {
        return directory.version();
    }

    /** The GeoIP databases answering now (changes on a GeoIP reload): a cached answer holds for these only. */
    public Object locatorGeneration() {
        return locator instanceof SwappableGeoLocator s ? s.current() : locator;
    }

    /** The choice for one client network (for the control endpoint's resolve query and tests). */
    public Optional<Choice> choose(String service, Cidr client) {
        return directory.service(service).map(v -> choose(v, client));
    }

    private Choice choose(ServiceView view, Cidr client) {
        if (client.prefixLength() == 0) {
            return choice.choose(view, client, Optional.empty(), 0, clock.millis());
        }
        if (locator instanceof ScopedGeoLocator scoped) {
            GeoLookup lookup = scoped.lookup(client.networkAddress());
            Optional<GeoLocation> location = lookup instanceof GeoLookup.Located hit
                    ? Optional.of(hit.location()) : Optional.empty();
            return choice.choose(view, client, location, lookup.prefixLength(), clock.millis());
        }
        return choice.choose(view, client, locator.locate(client.networkAddress()), clock.millis());
    }

    private static Resolution apex(QueryType type) {
        return switch (type) {
            case SOA -> found(List.of(new Answer.ZoneAuthority()));
            case NS -> found(List.of(new Answer.ZoneNameServers()));
            case ANY -> found(List.of(new Answer.ZoneAuthority(), new Answer.ZoneNameServers()));
            default -> new Resolution.NoData(0);
        };
    }

    private static Resolution found(List<Answer> answers) {
        return new Resolution.Found(answers, List.of(), 0, 0, dev.tendril.root.domain.Basis.NONE);
    }

    private Resolution serviceAddresses(ServiceView view, ServiceQuery q) {
        if (q.type() != QueryType.A && q.type() != QueryType.AAAA && q.type() != QueryType.ANY) {
            return new Resolution.NoData(0);
        }
        Choice c = choose(view, q.client());
        if (c.isEmpty()) {
            return new Resolution.Unavailable();
        }
        List<Answer> answers = new ArrayList<>();
        for (Instance i : c.instances()) {
            if (matches(q.type(), i.address())) {
                answers.add(new Answer.Address(i.address()));
            }
        }
        if (answers.isEmpty()) {
            return new Resolution.NoData(c.scope());
        }
        return new Resolution.Found(answers, List.of(), ttl(c), c.scope(), c.basis());
    }

    private Resolution serviceLocations(ServiceView view, String port, String proto, ServiceQuery q) {
        if (q.type() != QueryType.SRV && q.type() != QueryType.ANY) {
            return new Resolution.NoData(0);
        }
        Choice c = choose(view, q.client());
        if (c.isEmpty()) {
            return new Resolution.Unavailable();
        }
        List<Answer> answers = new ArrayList<>();
        List<NodeAddress> glue = new ArrayList<>();
        for (Instance i : c.instances()) {
            for (ServicePort p : i.node().ports()) {
                if (p.name().equals(port) && p.protocol().equals(proto)) {
                    answers.add(new Answer.ServiceLocation(answers.size(), p.port(), i.nodeId()));
                    glue.add(new NodeAddress(i.nodeId(), i.address()));
                    break;
                }
            }
        }
        if (answers.isEmpty()) {
            return new Resolution.NoData(c.scope());
        }
        return new Resolution.Found(answers, glue, ttl(c), c.scope(), c.basis());
    }

    private Resolution nodeAddress(String nodeId, QueryType type) {
        Optional<NodeAddress> node = directory.node(nodeId);
        if (node.isEmpty()) {
            return new Resolution.NoSuchName();
        }
        InetAddress address = node.get().address();
        if (type == QueryType.ANY || matches(type, address)) {
            return new Resolution.Found(List.of(new Answer.Address(address)), List.of(), policy.answerTtlSeconds(), 0,
                    dev.tendril.root.domain.Basis.NONE);
        }
        return new Resolution.NoData(0);
    }

    private static boolean matches(QueryType type, InetAddress address) {
        boolean v4 = address instanceof Inet4Address;
        return type == QueryType.ANY || (type == QueryType.A && v4) || (type == QueryType.AAAA && !v4);
    }

    /**
     * The configured TTL, never longer than the choice still holds: the remaining lifetime of
     * the migration record it rests on, rounded down to whole seconds (0 in its last second,
     * so no cache keeps the answer past the record's expiry).
     */
    private int ttl(Choice c) {
        if (c.expiresAtMillis() == Long.MAX_VALUE) {
            return policy.answerTtlSeconds();
        }
        long left = c.expiresAtMillis() - clock.millis();
        long seconds = Math.max(0, left / 1000);
        return (int) Math.min(policy.answerTtlSeconds(), seconds);
    }

    private static boolean isUnderscored(String label) {
        return label.length() > 1 && label.charAt(0) == '_';
    }
}
