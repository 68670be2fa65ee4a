package dev.tendril.protocol.signing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class SignedSpecTest {
    static final KeyPair ALICE = OperatorKeys.generate();
    static final KeyPair MALLORY = OperatorKeys.generate();
    static final Map<String, PublicKey> OPERATORS = Map.of("alice", ALICE.getPublic());
    static final String SPEC = "service: web\nimage: busybox\ncommand: [httpd, -f]\n";

    @TempDir
    Path dir;

    @Test
    void aSignedSpecVerifiesAndStillParsesAsTheSameYaml() {
        String signed = SignedSpec.sign(SPEC, "alice", ALICE.getPrivate());
        assertTrue(signed.startsWith(SPEC));
        assertEquals(new SignedSpec.Verification.Valid("alice"), SignedSpec.verify(signed, OPERATORS));
        assertEquals(new SignedSpec.Verification.Valid("alice"),
                SignedSpec.verify(SignedSpec.sign("service: web", "alice", ALICE.getPrivate()), OPERATORS), "no final newline");
        assertEquals(new SignedSpec.Verification.Unsigned(), SignedSpec.verify(SPEC, OPERATORS));
    }

    static Stream<Arguments> tampered() {
        return Stream.of(
                Arguments.of("a changed command", (UnaryOperator<String>) s -> s.replace("httpd, -f", "sh, -c, 'id'"), "does not match"),
                Arguments.of("a line added above", (UnaryOperator<String>) s -> "env: {X: 1}\n" + s, "does not match"),
                Arguments.of("text after the signature", (UnaryOperator<String>) s -> s + "ports: []\n", "follows"),
                Arguments.of("another signer's name", (UnaryOperator<String>) s -> s.replace(" alice ", " bob "), "not a configured operator"),
                Arguments.of("a broken signature", (UnaryOperator<String>) s -> s.replace(SignedSpec.MARK + "alice ", SignedSpec.MARK + "alice !!"), "base64"),
                Arguments.of("signed by a stranger under alice's name", (UnaryOperator<String>) s ->
                        SignedSpec.sign(SPEC.replace("busybox", "evil"), "alice", MALLORY.getPrivate()), "does not match"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tampered")
    void everyTamperingIsInvalid(String what, UnaryOperator<String> change, String fragment) {
        String bad = change.apply(SignedSpec.sign(SPEC, "alice", ALICE.getPrivate()));
        SignedSpec.Verification v = SignedSpec.verify(bad, OPERATORS);
        SignedSpec.Verification.Invalid invalid = assertInstanceOf(SignedSpec.Verification.Invalid.class, v, what);
        assertTrue(invalid.reason().contains(fragment), what + ": " + invalid.reason());
    }

    @Test
    void keyFilesRoundTripAndAWorldReadableSecretIsRefused() throws Exception {
        KeyPair pair = OperatorKeys.generate();
        Path secret = OperatorKeys.write(pair, "carol", dir);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
        assertEquals("carol", OperatorKeys.nameOf(secret));
        String signed = SignedSpec.sign(SPEC, "carol", OperatorKeys.readSecret(secret));
        assertEquals(new SignedSpec.Verification.Valid("carol"),
                SignedSpec.verify(signed, Map.of("carol", OperatorKeys.readPublic(dir.resolve("carol.pub")))));
        assertThrows(java.io.IOException.class, () -> OperatorKeys.write(pair, "carol", dir), "no overwrite");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        var e = assertThrows(java.io.IOException.class, () -> OperatorKeys.readSecret(secret));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }
}
