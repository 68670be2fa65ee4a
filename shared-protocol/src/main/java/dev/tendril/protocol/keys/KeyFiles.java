package dev.tendril.protocol.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes key files. A secret key file is written with mode 0600 and refused on
 * reading when its group or others may read or write it (as ssh refuses a private key
 * readable by others). Lines starting with "# " are comments.
 */
public final class KeyFiles {
    private static final Set<PosixFilePermission> OPEN = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyFiles() {
    }

    /** Before a pair is made: neither of its two files may exist (a key file is never overwritten). */
    public static void requireAbsent(Path secret, Path other) throws FileAlreadyExistsException {
        if (Files.exists(secret) || Files.exists(other)) {
            throw new FileAlreadyExistsException(secret + " or " + other, null,
                    "a key file is never overwritten; remove it first or pick another --name");
        }
    }

    /** Writes a secret file, mode 0600 from its creation on; refuses to overwrite one. */
    public static void writeSecret(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "a key file is never overwritten; remove it first");
        }
        if (posix(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Writes a public file (mode 0644); refuses to overwrite one. */
    public static void writePublic(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "a key file is never overwritten; remove it first");
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /**
     * The non-comment lines of a secret file, after checking that only its owner may read it.
     *
     * @throws KeyFileException when the file cannot be read or is open to group or others
     */
    public static List<String> readSecret(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new KeyFileException("secret key file " + file + " does not exist or is not a file");
        }
        if (posix(file)) {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
                open.addAll(perms);
                open.retainAll(OPEN);
                if (!open.isEmpty()) {
                    throw new KeyFileException("secret key file " + file + " has mode "
                            + PosixFilePermissions.toString(perms) + ": group and others must have no access; run: chmod 600 " + file);
                }
            } catch (IOException e) {
                throw new KeyFileException("cannot read the permissions of " + file + ": " + e.getMessage());
            }
        }
        return lines(file);
    }

    /** The non-comment lines of a public file. */
    public static List<String> readPublic(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new KeyFileException("public key file " + file + " does not exist or is not a file");
        }
        return lines(file);
    }

    private static List<String> lines(Path file) {
        try {
            if (Files.size(file) > 64 * 1024) {
                throw new KeyFileException("key file " + file + " is larger than 64 KiB: not a key file");
            }
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("# ")).toList();
        } catch (IOException e) {
            throw new KeyFileException("cannot read key file " + file + ": " + e.getMessage());
        }
    }

    private static boolean posix(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        return (dir == null ? file : dir).getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
