package dev.tendril.protocol.codec;

import dev.tendril.protocol.message.MessageType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/protocol.md lists every wire type id (the table is the reference for other implementations). */
class ProtocolDocTest {
    @Test
    void theTypeTableListsEveryType() throws IOException {
        String doc = Files.readString(Path.of("../docs/protocol.md"));
        List<String> missing = new ArrayList<>();
        for (MessageType t : MessageType.values()) {
            if (!doc.contains("| " + t.id() + " | `" + t.name() + "` |")) {
                missing.add("| " + t.id() + " | `" + t.name() + "` |");
            }
        }
        assertEquals(List.of(), missing, "add these rows to the type table in docs/protocol.md");
    }
}
