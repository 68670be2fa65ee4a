package dev.tendril.edge.adapter.in.admin;

import dev.tendril.protocol.message.MessageId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link AcceptedIds} in a file of the node's state folder: one line per accepted id,
 * {@code <32 hex digits> <forget-at epoch ms>}, appended and forced to disk before the request
 * runs. Rewritten (temporary file, then an atomic rename) with the live ids only at start and
 * whenever it holds more than twice the live ids plus 1,000 lines, so its size is bounded by
 * the gate's bound on remembered ids. A line that does not parse is skipped with one WARN;
 * a file that cannot be read stops the node from starting (an error naming the file).
 */
final class AcceptedIdFile implements AcceptedIds {
    private static final Logger log = LoggerFactory.getLogger(AcceptedIdFile.class);
    private static final int SLACK_LINES = 1_000;

    private final Path file;
    private FileChannel channel;
    private int lines;

    AcceptedIdFile(Path file) {
        this.file = file;
    }

    @Override
    public synchronized Map<MessageId, Long> load() {
        Map<MessageId, Long> ids = new HashMap<>();
        if (Files.exists(file)) {
            List<String> all;
            try {
                all = Files.readAllLines(file, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the accepted admin ids in " + file + ": " + e.getMessage()
                        + " (remove the file only when the node has been stopped longer than admin.window)", e);
            }
            int bad = 0;
            for (String line : all) {
                String[] parts = line.split(" ");
                if (parts.length != 2 || parts[0].length() != 32) {
                    bad++;
                    continue;
                }
                try {
                    ids.merge(new MessageId(Long.parseUnsignedLong(parts[0].substring(0, 16), 16),
                            Long.parseUnsignedLong(parts[0].substring(16), 16)), Long.parseLong(parts[1]), Math::max);
                } catch (NumberFormatException e) {
                    bad++;
                }
            }
            if (bad > 0) {
                log.warn("skipped {} unreadable lines of {}", bad, file);
            }
        }
        return ids;
    }

    @Override
    public synchronized boolean record(MessageId id, long forgetAtMillis, Map<MessageId, Long> live) {
        try {
            if (channel == null || lines > 2 * live.size() + SLACK_LINES) {
                rewrite(live);
                return true; // the rewrite holds this id too, forced to disk
            }
            ByteBuffer line = ByteBuffer.wrap((id + " " + forgetAtMillis + "\n").getBytes(StandardCharsets.US_ASCII));
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.force(false);
            lines++;
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("cannot record accepted admin id {} in {}: {}", id, file, e.toString());
            closeQuietly();
            return false;
        }
    }

    /** Writes the live ids to a fresh file and appends to it from then on. */
    private void rewrite(Map<MessageId, Long> live) throws IOException {
        closeQuietly();
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        StringBuilder text = new StringBuilder(live.size() * 48);
        live.forEach((id, forgetAt) -> text.append(id).append(' ').append(forgetAt).append('\n'));
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        lines = live.size();
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the next record reopens the file
            }
            channel = null;
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }
}
