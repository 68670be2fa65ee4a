package dev.tendril.edge.selforg.domain;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's self-organization events, newest last, bounded (the oldest drop out). Every
 * event is also one INFO log line: {@code <node> <service> <KIND> [<correlation>] <detail>}.
 * Thread-safe.
 */
public final class EventLog {
    private static final Logger log = LoggerFactory.getLogger(EventLog.class);

    private final String nodeId;
    private final Clock clock;
    private final int capacity;
    private final boolean logLines;
    private final ArrayDeque<SelfOrgEvent> events = new ArrayDeque<>();
    private long seq;
    private volatile java.util.function.Consumer<SelfOrgEvent> observer = e -> { };

    public EventLog(String nodeId, Clock clock, int capacity) {
        this(nodeId, clock, capacity, true);
    }

    /** @param logLines false: keep events without logging them (thousands of simulated nodes) */
    public EventLog(String nodeId, Clock clock, int capacity, boolean logLines) {
        this.nodeId = nodeId;
        this.clock = clock;
        this.capacity = capacity;
        this.logLines = logLines;
    }

    public SelfOrgEvent record(String service, EventKind kind, String correlationId, String detail) {
        return record(service, kind, correlationId, detail, -1);
    }

    public SelfOrgEvent record(String service, EventKind kind, String correlationId, String detail,
                               long containerStartMillis) {
        return recordAt(clock.instant(), service, kind, correlationId, detail, containerStartMillis);
    }

    /**
     * An event that happened at {@code at}, earlier than now, recorded once its detail is known
     * (e.g. a replication decided before the candidates are ranked): timings measure from {@code at}.
     */
    public synchronized SelfOrgEvent recordAt(java.time.Instant at, String service, EventKind kind, String correlationId,
                                              String detail, long containerStartMillis) {
        SelfOrgEvent e = new SelfOrgEvent(++seq, at, nodeId, service, kind, correlationId, detail,
                containerStartMillis);
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(e);
        dev.tendril.protocol.trace.HopTrace.mark("event", correlationId, kind, nodeId);
        observer.accept(e);
        if (logLines) {
            log.info("{} {} {} [{}] {}", nodeId, service, kind, e.correlationId(), e.detail());
        }
        return e;
    }

    /** Events after {@code afterSeq} (0 = from the oldest kept), of one service ("" = all), at most {@code limit}. */
    public synchronized List<SelfOrgEvent> query(long afterSeq, String service, int limit) {
        List<SelfOrgEvent> out = new ArrayList<>();
        for (SelfOrgEvent e : events) {
            if (e.seq() > afterSeq && (service.isEmpty() || e.service().equals(service))) {
                out.add(e);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    public synchronized List<SelfOrgEvent> all() {
        return List.copyOf(events);
    }

    /** Sets the one observer told of each event as it is recorded (e.g. the metrics exporter); it must be quick. */
    public void observe(java.util.function.Consumer<SelfOrgEvent> eventObserver) {
        this.observer = eventObserver == null ? e -> { } : eventObserver;
    }

    public String nodeId() {
        return nodeId;
    }
}
