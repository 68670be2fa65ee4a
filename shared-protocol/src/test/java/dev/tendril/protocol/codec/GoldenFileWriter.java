package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the golden frame of every message type that has none yet, from
 * {@link SampleEnvelopes}. Existing files are never touched: old bytes must keep decoding.
 * Not part of the normal suite (the name does not end in Test); run it on purpose with
 * <pre>
 * mvn -q -o -pl shared-protocol -am test -Dtest=GoldenFileWriter -Dgolden.write=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * then check the new files in.
 */
class GoldenFileWriter {
    @Test
    @EnabledIfSystemProperty(named = "golden.write", matches = "true")
    void writeMissingGoldenFiles() throws IOException {
        Files.createDirectories(GoldenFiles.DIR);
        for (MessageType type : MessageType.values()) {
            Path file = GoldenFiles.DIR.resolve(GoldenFiles.fileName(type));
            if (!Files.exists(file)) {
                Files.write(file, FrameCodec.standard().encode(SampleEnvelopes.envelope(type)));
                System.out.println("wrote " + file.toAbsolutePath());
            }
        }
    }
}
