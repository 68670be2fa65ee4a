package dev.tendril.edge.application;

import java.time.Duration;

/** Port: runs a task repeatedly (fixed delay); closing the handle stops it. */
public interface Ticker {
    AutoCloseable every(Duration interval, Runnable task);
}
