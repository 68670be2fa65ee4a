package dev.tendril.edge.bootstrap;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;

import java.util.function.UnaryOperator;

/**
 * The edge node's logging, set up in code: the same as its {@code logback.xml} (text lines with
 * an ISO-8601 UTC date, or one JSON object per line with {@code TENDRIL_LOG_FORMAT=json}, on
 * stderr; {@code TENDRIL_LOG_LEVEL}, {@code TENDRIL_HOP_LOG}) without Logback's XML configurator,
 * which loads some 400 classes (Joran and an XML parser) at every start. Only when the JVM runs
 * with {@code -Dtendril.log.builtin=true}, as {@code bin/tendril-edge} does, and no
 * {@code logback.configurationFile} is given; otherwise (tests, other modules that have the
 * edge node on their class path) Logback reads its XML files as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class EdgeLogging extends ContextAwareBase implements Configurator {
    static final String SWITCH = "tendril.log.builtin";
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} %-5level [%thread] %logger{30} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!Boolean.getBoolean(SWITCH) || System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, key -> System.getProperty(key, System.getenv(key)));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Configures {@code context} from the settings {@code settings} gives (null: not set). */
    static void apply(LoggerContext context, UnaryOperator<String> settings) {
        boolean json = "json".equals(settings.apply("TENDRIL_LOG_FORMAT"));
        Encoder<ILoggingEvent> encoder = json ? jsonEncoder() : textEncoder(context);
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(context);
        out.setName("OUT");
        out.setTarget("System.err");
        out.setEncoder(encoder);
        out.start();
        context.getLogger("com.github.dockerjava").setLevel(Level.WARN);
        context.getLogger("oshi").setLevel(Level.WARN);
        context.getLogger("org.zeromq").setLevel(Level.WARN);
        context.getLogger("tendril.hop").setLevel(Level.toLevel(settings.apply("TENDRIL_HOP_LOG"), Level.OFF));
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(settings.apply("TENDRIL_LOG_LEVEL"), Level.INFO));
        root.addAppender(out);
    }

    private static Encoder<ILoggingEvent> textEncoder(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(TEXT_PATTERN);
        return encoder;
    }

    /** As dev/tendril/log/json.xml: timestamp, level, thread, logger, formatted message, MDC, throwable. */
    private static Encoder<ILoggingEvent> jsonEncoder() {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setWithFormattedMessage(true);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        return encoder;
    }
}
