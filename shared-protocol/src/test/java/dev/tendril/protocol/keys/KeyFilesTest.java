package dev.tendril.protocol.keys;

import dev.tendril.protocol.transport.CurveKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.Signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyFilesTest {
    @TempDir
    Path dir;

    @Test
    void aCurvePairIsWrittenOwnerOnlyAndReadBack() throws Exception {
        CurveKeyPair keys = CurveKeyFiles.generate(dir, "munich");
        Path secret = CurveKeyFiles.secretFile(dir, "munich");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
        assertEquals(keys, CurveKeyFiles.readPair(secret));
        assertEquals(keys.publicKey(), CurveKeyFiles.readPublic(CurveKeyFiles.publicFile(dir, "munich").toString()));
        assertEquals(keys.publicKey(), CurveKeyFiles.readPublic(keys.publicKey()));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> CurveKeyFiles.generate(dir, "munich"));
    }

    @Test
    void aSecretKeyReadableByOthersIsRefusedWithTheFix() throws Exception {
        CurveKeyFiles.generate(dir, "munich");
        Path secret = CurveKeyFiles.secretFile(dir, "munich");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        KeyFileException e = assertThrows(KeyFileException.class, () -> CurveKeyFiles.readPair(secret));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw----r--"));
        assertThrows(KeyFileException.class, () -> CurveKeyFiles.readPair(secret));
    }

    @Test
    void malformedFilesAreRefused() throws Exception {
        Path bad = dir.resolve("bad.key");
        KeyFiles.writeSecret(bad, "public-key nonsense\nsecret-key nonsense\n");
        assertThrows(KeyFileException.class, () -> CurveKeyFiles.readPair(bad));
        assertThrows(KeyFileException.class, () -> CurveKeyFiles.readPair(dir.resolve("missing.key")));
        assertThrows(KeyFileException.class, () -> CurveKeyFiles.readPublic("~".repeat(40)));
    }

    @Test
    void anOperatorSigningKeySignsAndVerifies() throws Exception {
        KeyPair pair = SigningKeyFiles.generate(dir, "alice");
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(SigningKeyFiles.secretFile(dir, "alice"))));
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(SigningKeyFiles.readPrivate(SigningKeyFiles.secretFile(dir, "alice")));
        signer.update(new byte[] {1, 2, 3});
        byte[] sig = signer.sign();
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(SigningKeyFiles.readPublic(SigningKeyFiles.publicFile(dir, "alice")));
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(sig));
        assertEquals(pair.getPublic(), SigningKeyFiles.readPublic(SigningKeyFiles.publicFile(dir, "alice")));
    }
}
