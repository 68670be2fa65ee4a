package dev.tendril.edge.adapter.in.admin;

import dev.tendril.protocol.message.AdminAuth;
import dev.tendril.protocol.message.AdminMessage;
import dev.tendril.protocol.message.Envelope;
import dev.tendril.protocol.message.Message;
import dev.tendril.protocol.message.MessageId;
import dev.tendril.protocol.message.MessageType;

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
 * window, further ones are refused (fail closed) until the oldest expire.
 *
 * <p>A retry ({@link AdminAuth#signRetry}: a fresh id that names the first request it stands
 * for, sent when the client could not tell whether the first arrived) is checked like any
 * request, and then: when the first request ran, it is {@link Verdict.Answered answered} with
 * the first one's reply (kept for the window, at most {@link #KEPT_REPLIES}) and nothing runs
 * again; when the first never arrived, the retry runs, and the first's id is remembered with
 * it, so a copy of the first arriving late is refused as a replay. The admin socket runs one
 * request at a time, so a first request has finished when its retry is checked. Thread-safe.
 */
final class AdminGate {
    /** The outcome of {@link #check}. */
    sealed interface Verdict {
        /** The request may run on behalf of {@code operator}. */
        record Admitted(String operator) implements Verdict {
        }

        /** A retry of a request that ran: {@code reply} is that request's; nothing runs again. */
        record Answered(String operator, MessageId first, Message reply) implements Verdict {
        }

        /** Refused: {@code reason} is a short counter name, {@code message} what the requester is told. */
        record Refused(String reason, String message) implements Verdict {
        }
    }

    static final int DEFAULT_MAX_REMEMBERED = 100_000;
    /** Replies kept for retries: a retry follows its first request within seconds, and admin requests are few. */
    static final int KEPT_REPLIES = 32;

    /**
     * The reply to an accepted request, for its retries: who sent it and what it asked (the
     * payload's SHA-256, not the payload: a spec may be 256 KiB).
     */
    private record Kept(String operator, MessageType type, byte[] payloadDigest, long forgetAt, Message reply) {
        Kept answered(Message reply) {
            return new Kept(operator, type, payloadDigest, forgetAt, reply);
        }

        boolean sameRequest(String otherOperator, AdminMessage.Request request) {
            return operator.equals(otherOperator) && type == request.type()
                    && java.security.MessageDigest.isEqual(payloadDigest, digest(request.signedPayload()));
        }
    }

    private static byte[] digest(String payload) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private final Map<String, String> keysByOperator;
    private final Clock clock;
    private final long windowMillis;
    private final long notBeforeMillis;
    private final int maxRemembered;
    /** Accepted ids and when they may be forgotten (their sentAt + the window). */
    private final Map<MessageId, Long> seen = new HashMap<>();
    private final AcceptedIds journal;
    /** By the id of the first request; {@code reply} null while it runs. Oldest first. */
    private final LinkedHashMap<MessageId, Kept> replies = new LinkedHashMap<>();

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
        AdminMessage.Request body = (AdminMessage.Request) request.body();
        MessageId first = AdminAuth.retryOf(body.auth()).orElse(request.id());
        boolean firstRan = !first.equals(request.id()) && seen.containsKey(first);
        if (!remember(request.id(), forgetAt) || (!firstRan && !first.equals(request.id()) && !remember(first, forgetAt))) {
            return new Verdict.Refused("unrecorded", "this node cannot record the request id (see its log); nothing ran");
        }
        if (firstRan) {
            return answerRetry(operator, first, body, now);
        }
        replies.values().removeIf(k -> k.forgetAt() < now);
        if (replies.size() >= KEPT_REPLIES) {
            replies.remove(replies.keySet().iterator().next());
        }
        replies.put(first, new Kept(operator, body.type(), digest(body.signedPayload()), forgetAt, null));
        return new Verdict.Admitted(operator);
    }

    /** Keeps {@code reply} for retries of {@code request} (call after an admitted request ran). */
    synchronized void answered(Envelope request, Message reply) {
        if (!(request.body() instanceof AdminMessage.Request body)) {
            return;
        }
        MessageId first = AdminAuth.retryOf(body.auth()).orElse(request.id());
        replies.computeIfPresent(first, (id, k) -> k.reply() == null ? k.answered(reply) : k);
    }

    private Verdict answerRetry(String operator, MessageId first, AdminMessage.Request body, long now) {
        Kept kept = replies.get(first);
        if (kept == null || kept.forgetAt() < now) {
            return new Verdict.Refused("retry-unanswerable", "request " + first + ", which this one retries, ran before"
                    + " and its reply is no longer kept (older than the window, or the node restarted); nothing ran"
                    + " again: see the node's state (tendrilctl stats)");
        }
        if (!kept.sameRequest(operator, body)) {
            return new Verdict.Refused("retry-mismatch", "request " + first + ", which this one retries, asked for"
                    + " something else or under another key; nothing ran");
        }
        if (kept.reply() == null) {
            return new Verdict.Refused("retry-pending", "request " + first + ", which this one retries, is still"
                    + " running; nothing ran again");
        }
        return new Verdict.Answered(operator, first, kept.reply());
    }

    /** Remembers an accepted id, durably; false (and forgotten again) when the journal cannot keep it. */
    private boolean remember(MessageId id, long forgetAt) {
        seen.put(id, forgetAt);
        if (!journal.record(id, forgetAt, seen)) {
            seen.remove(id);
            return false;
        }
        return true;
    }

    /** Closes the store of accepted ids (the node stops). */
    synchronized void close() {
        journal.close();
    }

    synchronized int remembered() {
        return seen.size();
    }
}
