package dev.tendril.edge.adapter.in.admin;

import dev.tendril.protocol.message.AdminAuth;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.MessageId;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides whether an admin request may run, and for which operator: it must be an admin
 * request, sent within the validity window of this node's clock and not before this node
 * started, carry a valid HMAC of one of the named admin keys, and its id must not have been
 * accepted before. Accepted ids are remembered for the whole window (a request outside the
 * window is refused anyway), so a replay is refused however many other requests came in
 * between, independently of the transport's reply cache (the admin socket runs without one).
 * The ids are written to {@link AcceptedIds} before the request runs and read back at start, so a
 * restart does not forget them; requests sent before this node started are refused too (a
 * second line of defence, which alone would not do: a client whose clock runs ahead stamps a
 * request captured before the restart with a time after it). Memory is bounded:
 * at most {@code maxRemembered} ids; when that many fresh requests were accepted within one
 * window, further ones are refused (fail closed) until the oldest expire. Thread-safe.
 */
final class AdminGate {
    /** The outcome of {@link #check}. */
    sealed interface Verdict {
        /** The request may run on behalf of {@code operator}. */
        record Admitted(String operator) implements Verdict {
        }

        /** Refused: {@code reason} is a short counter name, {@code message} what the requester is told. */
        record Refused(String reason, String message) implements Verdict {
        }
    }

    static final int DEFAULT_MAX_REMEMBERED = 100_000;

    private final Map<String, String> keysByOperator;
    private final Clock clock;
    private final long windowMillis;
    private final long notBeforeMillis;
    private final int maxRemembered;
    /** Accepted ids and when they may be forgotten (their sentAt + the window). */
    private final Map<MessageId, Long> seen = new HashMap<>();
    private final AcceptedIds journal;

    /**
     * @param keysByOperator  admin keys by operator name
     * @param window          how far a request's sentAt may be from this node's clock
     * @param notBeforeMillis requests sent before this instant are refused (the node's start)
     */
    AdminGate(Map<String, String> keysByOperator, Clock clock, Duration window, long notBeforeMillis, int maxRemembered) {
        this(keysByOperator, clock, window, notBeforeMillis, maxRemembered, AcceptedIds.inMemory());
    }

    /** As above; the ids accepted before this start are read from {@code journal}, new ones written to it. */
    AdminGate(Map<String, String> keysByOperator, Clock clock, Duration window, long notBeforeMillis, int maxRemembered,
              AcceptedIds journal) {
        if (keysByOperator.isEmpty()) {
            throw new IllegalArgumentException("at least one admin key is needed");
        }
        this.keysByOperator = new LinkedHashMap<>(keysByOperator);
        this.clock = clock;
        this.windowMillis = window.toMillis();
        this.notBeforeMillis = notBeforeMillis;
        this.maxRemembered = maxRemembered;
        this.journal = journal;
        long now = clock.millis();
        journal.load().forEach((id, forgetAt) -> {
            if (forgetAt >= now && seen.size() < maxRemembered) {
                seen.put(id, forgetAt);
            }
        });
    }

    synchronized Verdict check(Envelope request) {
        if (!(request.body() instanceof AdminMessage.Request)) {
            return new Verdict.Refused("not-admin", request.kind() + " is not an admin request");
        }
        long now = clock.millis();
        long sentAt = request.sentAtMillis();
        if (Math.abs(now - sentAt) > windowMillis) {
            return new Verdict.Refused("stale", "the request was sent " + (now - sentAt) + " ms from this node's time; "
                    + "at most " + windowMillis + " ms allowed (check the clocks)");
        }
        String operator = null;
        for (Map.Entry<String, String> k : keysByOperator.entrySet()) {
            if (AdminAuth.verify(k.getValue(), request, now, windowMillis)) {
                operator = k.getKey();
                break;
            }
        }
        if (operator == null) {
            return new Verdict.Refused("bad-key", "admin key does not match");
        }
        if (seen.containsKey(request.id())) {
            return new Verdict.Refused("replayed", "request id " + request.id() + " was already used");
        }
        if (sentAt < notBeforeMillis) {
            return new Verdict.Refused("before-start", "the request was sent before this node started");
        }
        if (seen.size() >= maxRemembered) {
            seen.values().removeIf(forgetAt -> forgetAt < now);
            if (seen.size() >= maxRemembered) {
                return new Verdict.Refused("busy", "more than " + maxRemembered + " admin requests within "
                        + windowMillis + " ms; try again shortly");
            }
        }
        long forgetAt = Math.max(sentAt, now) + windowMillis;
        seen.put(request.id(), forgetAt);
        if (!journal.record(request.id(), forgetAt, seen)) {
            seen.remove(request.id());
            return new Verdict.Refused("unrecorded", "this node cannot record the request id (see its log); nothing ran");
        }
        return new Verdict.Admitted(operator);
    }

    /** Closes the store of accepted ids (the node stops). */
    synchronized void close() {
        journal.close();
    }

    synchronized int remembered() {
        return seen.size();
    }
}
