package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.MessageType;

import java.nio.file.Path;
import java.util.Locale;

/** Where the golden frames live: one per message type, {@code <id>-<type>.bin}. */
final class GoldenFiles {
    static final Path DIR = Path.of("src/test/resources/golden");

    private GoldenFiles() {
    }

    static String fileName(MessageType type) {
        return String.format(Locale.ROOT, "%03d-%s.bin", type.id(), type.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
}
