package dev.tendril.protocol.transport;

import dev.tendril.protocol.codec.DecodeResult;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link ServerStats}; written by the server's threads, read by anyone. */
final class ServerCounters {
    final LongAdder received = new LongAdder();
    final LongAdder handled = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder invalid = new LongAdder();
    final LongAdder unknownType = new LongAdder();
    final LongAdder unknownVersion = new LongAdder();
    final LongAdder overloaded = new LongAdder();
    final LongAdder handlerFailures = new LongAdder();
    final LongAdder replies = new LongAdder();
    final LongAdder refusedConnections = new LongAdder();
    final LongAdder refusedKeys = new LongAdder();
    final LongAdder forbidden = new LongAdder();
    final LongAdder failedHandshakes = new LongAdder();
    final LongAdder inline = new LongAdder();

    void dropped(DecodeResult.Reason reason) {
        switch (reason) {
            case MALFORMED -> malformed.increment();
            case INVALID_FIELD -> invalid.increment();
            case UNKNOWN_TYPE -> unknownType.increment();
            case UNKNOWN_VERSION -> unknownVersion.increment();
        }
    }

    ServerStats snapshot() {
        return new ServerStats(received.sum(), handled.sum(), duplicates.sum(), malformed.sum(), invalid.sum(),
                unknownType.sum(), unknownVersion.sum(), overloaded.sum(), handlerFailures.sum(), replies.sum(),
                refusedConnections.sum(), refusedKeys.sum(), forbidden.sum(), failedHandshakes.sum(), inline.sum());
    }
}
