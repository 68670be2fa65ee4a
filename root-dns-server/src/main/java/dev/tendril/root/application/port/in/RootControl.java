package dev.tendril.root.application.port.in;

import dev.tendril.protocol.message.RootMessage;

/**
 * Port: carries out one root control request and returns its reply ({@code Registered},
 * {@code Ack}, a listing, or {@code ErrorReply}). When it returns, every change the request
 * made is durable and visible to DNS. Thread-safe; may block while the change commits.
 */
public interface RootControl {
    RootMessage handle(RootMessage request);
}
