package dev.tendril.edge.adapter.in.admin;

import dev.tendril.protocol.message.MessageId;

import java.util.Map;

/**
 * Where the {@link AdminGate} keeps the ids it accepted, so that they outlive a restart of the
 * node for as long as a replay of them could still pass the validity window.
 */
interface AcceptedIds {
    /** The ids accepted before this start, with the instant (epoch ms) each may be forgotten. */
    Map<MessageId, Long> load();

    /**
     * Makes one accepted id durable before its request runs. {@code live} is every id still
     * remembered (this one included), for compaction. Returns false when the id could not be
     * made durable: the request is then refused (fail closed).
     */
    boolean record(MessageId id, long forgetAtMillis, Map<MessageId, Long> live);

    /** Releases what the store holds open (its file). */
    default void close() {
    }

    /** Nothing outlives the process (tests, and nodes without a state folder). */
    static AcceptedIds inMemory() {
        return new AcceptedIds() {
            @Override
            public Map<MessageId, Long> load() {
                return Map.of();
            }

            @Override
            public boolean record(MessageId id, long forgetAtMillis, Map<MessageId, Long> live) {
                return true;
            }
        };
    }
}
