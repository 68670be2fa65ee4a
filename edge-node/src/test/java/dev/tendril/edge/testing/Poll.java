package dev.tendril.edge.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Waiting for a condition with a deadline (never a fixed sleep). */
public final class Poll {
    private Poll() {
    }

    /** The first present value of {@code probe} within {@code limit}, or an AssertionError naming {@code what}. */
    public static <T> T until(String what, Duration limit, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit + " waiting for " + what);
            }
            try {
                Thread.sleep(20); // poll interval, not a wait for the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    public static void untilTrue(String what, Duration limit, Supplier<Boolean> condition) {
        until(what, limit, () -> condition.get() ? Optional.of(true) : Optional.empty());
    }

    /** The body of a GET to {@code url}, or empty when it does not answer 200 now. */
    public static Optional<String> httpGet(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(1000);
            try {
                if (c.getResponseCode() != 200) {
                    return Optional.empty();
                }
                try (InputStream in = c.getInputStream()) {
                    return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
