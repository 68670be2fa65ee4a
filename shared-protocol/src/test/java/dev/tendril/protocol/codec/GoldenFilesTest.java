package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.MessageType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Checked-in frames written by earlier builds must keep decoding to the same records. */
class GoldenFilesTest {
    @ParameterizedTest
    @EnumSource(MessageType.class)
    void goldenFrameStillDecodes(MessageType type) throws IOException {
        String name = "/golden/" + GoldenFiles.fileName(type);
        byte[] frame;
        try (InputStream in = getClass().getResourceAsStream(name)) {
            assertNotNull(in, "no golden file " + name + " for " + type + ": add a sample to SampleEnvelopes and run "
                    + "mvn -q -o -pl shared-protocol -am test -Dtest=GoldenFileWriter -Dgolden.write=true "
                    + "-Dsurefire.failIfNoSpecifiedTests=false");
            frame = in.readAllBytes();
        }
        assertEquals(new DecodeResult.Decoded(SampleEnvelopes.envelope(type)), FrameCodec.standard().decode(frame));
    }
}
