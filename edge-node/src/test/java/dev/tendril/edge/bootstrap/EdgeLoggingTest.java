package dev.tendril.edge.bootstrap;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-code logging setup matches logback.xml: levels, loggers and both line formats. */
class EdgeLoggingTest {

    private static LoggerContext configured(Map<String, String> settings) {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        EdgeLogging.apply(context, settings::get);
        return context;
    }

    private static String line(LoggerContext context, String message) {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        OutputStreamAppender<ILoggingEvent> out = (OutputStreamAppender<ILoggingEvent>) root.getAppender("OUT");
        LoggingEvent event = new LoggingEvent("x", context.getLogger("dev.tendril.edge.Test"), Level.INFO, message, null, null);
        event.setTimeStamp(0);
        return new String(out.getEncoder().encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void defaultsAreInfoTextOnStderrWithHopTracesOff() {
        LoggerContext context = configured(Map.of());
        assertEquals(Level.INFO, context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel());
        assertEquals(Level.OFF, context.getLogger("tendril.hop").getLevel());
        assertEquals(Level.WARN, context.getLogger("org.zeromq").getLevel());
        assertEquals(Level.WARN, context.getLogger("oshi").getLevel());
        assertEquals(Level.WARN, context.getLogger("com.github.dockerjava").getLevel());
        String line = line(context, "edge node ready");
        assertTrue(line.startsWith("1970-01-01T00:00:00.000Z INFO  [" + Thread.currentThread().getName()
                + "] dev.tendril.edge.Test - edge node ready"), line);
        OutputStreamAppender<?> out = (OutputStreamAppender<?>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("OUT");
        assertEquals("System.err", ((ch.qos.logback.core.ConsoleAppender<?>) out).getTarget());
    }

    @Test
    void environmentSetsLevelsAndJson() {
        LoggerContext context = configured(Map.of("TENDRIL_LOG_LEVEL", "DEBUG", "TENDRIL_HOP_LOG", "TRACE",
                "TENDRIL_LOG_FORMAT", "json"));
        assertEquals(Level.DEBUG, context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel());
        assertEquals(Level.TRACE, context.getLogger("tendril.hop").getLevel());
        String line = line(context, "edge node ready");
        assertTrue(line.startsWith("{") && line.contains("\"formattedMessage\":\"edge node ready\"")
                && line.contains("\"level\":\"INFO\"") && line.contains("\"loggerName\":\"dev.tendril.edge.Test\""), line);
    }
}
