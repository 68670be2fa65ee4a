package dev.tendril.cli;

import dev.tendril.protocol.keys.CurveKeyFiles;
import dev.tendril.protocol.keys.SigningKeyFiles;
import dev.tendril.protocol.transport.CurveKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tendrilctl keys: files made with the right modes; bad input refused before anything is sent. */
class KeysCommandTest {
    @TempDir
    Path dir;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        return TendrilCtl.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void genWritesAnOwnerOnlySecretAndAPublicFile() throws Exception {
        assertEquals(TendrilCtl.OK, run("keys", "gen", "--out", dir.toString(), "--name", "munich"));
        Path secret = dir.resolve("munich.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
        assertEquals(CurveKeyFiles.readPair(secret).publicKey(), CurveKeyFiles.readPublic(dir.resolve("munich.pub").toString()));
        assertEquals(TendrilCtl.FAILED, run("keys", "gen", "--out", dir.toString(), "--name", "munich"), "never overwrites");
        assertEquals(TendrilCtl.BAD_INPUT, run("keys", "gen", "--out", dir.toString(), "--name", "Not_A_Label"));
    }

    @Test
    void genOperatorWritesCurveAndSigningKeys() throws Exception {
        assertEquals(TendrilCtl.OK, run("keys", "gen-operator", "--out", dir.toString(), "--name", "alice"));
        CurveKeyFiles.readPair(dir.resolve("alice.key"));
        SigningKeyFiles.readPrivate(dir.resolve("alice.sign.key"));
        SigningKeyFiles.readPublic(dir.resolve("alice.sign.pub"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("alice.sign.key"))));
    }

    @Test
    void badRolesKeysAndHalfCurveSettingsAreInputErrors() throws Exception {
        String root = TendrilCtlTest.deadNode();
        run("keys", "gen", "--out", dir.toString(), "--name", "munich");
        assertEquals(TendrilCtl.BAD_INPUT, run("keys", "enrol", "--root", root, "robot", "munich", dir.resolve("munich.pub").toString()));
        assertEquals(TendrilCtl.BAD_INPUT, run("keys", "enrol", "--root", root, "platform", "munich", "not-a-key"));
        assertEquals(TendrilCtl.BAD_INPUT, run("keys", "list", "--root", root, "--curve-key", dir.resolve("munich.key").toString()));
        assertTrue(err.toString().contains("--root-key: missing"), err.toString());
        Files.setPosixFilePermissions(dir.resolve("munich.key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(TendrilCtl.BAD_INPUT, run("keys", "list", "--root", root, "--curve-key", dir.resolve("munich.key").toString(),
                "--root-key", dir.resolve("munich.pub").toString()));
        assertTrue(err.toString().contains("chmod 600"), err.toString());
    }

    /**
     * One Z85 key in 85 starts with '-' (picocli took it for an unknown option: "Missing required
     * parameter: 'PUBLIC_KEY'"); such keys are arguments like any other, wherever a key is given.
     */
    @Test
    void aKeyThatStartsWithADashIsAKeyNotAnOption() throws Exception {
        String root = TendrilCtlTest.deadNode();
        String key = dashKey();
        assertEquals(TendrilCtl.FAILED, run("keys", "enrol", "--root", root, "--timeout", "1s", "platform", "munich", key),
                "parsed, sent, and no root answered: " + err);
        assertEquals(TendrilCtl.FAILED, run("keys", "revoke", "--root", root, "--timeout", "1s", "platform", "munich", key), err.toString());
        run("keys", "gen", "--out", dir.toString(), "--name", "ops");
        assertEquals(TendrilCtl.FAILED, run("keys", "list", "--root", root, "--timeout", "1s", "--curve-key",
                dir.resolve("ops.key").toString(), "--root-key", key), err.toString());
        assertTrue(!err.toString().contains("Missing required parameter") && !err.toString().contains("Unknown option"), err.toString());
    }

    @Test
    void aMistypedOptionIsStillAnInputError() throws Exception {
        String root = TendrilCtlTest.deadNode();
        run("keys", "gen", "--out", dir.toString(), "--name", "munich");
        assertEquals(TendrilCtl.BAD_INPUT, run("keys", "enrol", "--root", root, "--timout", "1s", "platform", "munich",
                dir.resolve("munich.pub").toString()));
        assertTrue(err.toString().contains("--timout"), "the error names what it did not understand: " + err);
    }

    private static String dashKey() {
        while (true) {
            String k = CurveKeyPair.generate().publicKey();
            if (k.startsWith("-")) {
                return k;
            }
        }
    }
}
