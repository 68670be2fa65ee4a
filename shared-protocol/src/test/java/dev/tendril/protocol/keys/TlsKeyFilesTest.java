package dev.tendril.protocol.keys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsKeyFilesTest {
    @TempDir
    Path dir;

    @Test
    void aGeneratedCertificateIsAValidSelfSignedV3CertificateOfTheKey() throws Exception {
        TlsKeyFiles.Identity made = TlsKeyFiles.generate(dir, "roots");
        X509Certificate c = made.certificate();
        c.checkValidity();
        c.verify(c.getPublicKey()); // self-signed: its own key verifies the DER signature the encoder wrote
        assertEquals(3, c.getVersion());
        assertEquals("CN=tendril roots", c.getSubjectX500Principal().getName());
        assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
        assertEquals("SHA256withECDSA", c.getSigAlgName());
        assertTrue(c.getSerialNumber().signum() > 0);
        // the private key is the pair of the certificate's public key
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(made.key());
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(c.getPublicKey());
        s.update(new byte[] {1, 2, 3});
        assertTrue(s.verify(sig));
    }

    @Test
    void theFilesReadBackOwnerOnlyAndAreNeverOverwritten() throws Exception {
        TlsKeyFiles.Identity made = TlsKeyFiles.generate(dir, "roots");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(TlsKeyFiles.secretFile(dir, "roots"))));
        TlsKeyFiles.Identity read = TlsKeyFiles.read(TlsKeyFiles.secretFile(dir, "roots"), TlsKeyFiles.certificateFile(dir, "roots"));
        assertEquals(made.certificate(), read.certificate());
        assertEquals(made.key(), read.key());
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> TlsKeyFiles.generate(dir, "roots"));
        assertEquals(read.certificate(), TlsKeyFiles.read(TlsKeyFiles.secretFile(dir, "roots"),
                TlsKeyFiles.certificateFile(dir, "roots")).certificate());
    }

    @Test
    void severalCertificatesInOneFileAreAllRead() throws Exception {
        X509Certificate a = TlsKeyFiles.generate(dir, "a").certificate();
        X509Certificate b = TlsKeyFiles.generate(dir, "b").certificate();
        Path both = dir.resolve("both.crt");
        Files.writeString(both, Files.readString(dir.resolve("a.crt")) + "# the next key, ahead of a rotation\n"
                + Files.readString(dir.resolve("b.crt")));
        assertEquals(List.of(a, b), TlsKeyFiles.readCertificates(both));
        assertNotEquals(TlsKeyFiles.fingerprint(a), TlsKeyFiles.fingerprint(b));
        assertEquals(64, TlsKeyFiles.fingerprint(a).length());
    }

    @Test
    void badFilesAreRefusedWithWhatToDo() throws Exception {
        TlsKeyFiles.generate(dir, "roots");
        Path key = TlsKeyFiles.secretFile(dir, "roots");
        Path cert = TlsKeyFiles.certificateFile(dir, "roots");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(assertThrows(KeyFileException.class, () -> TlsKeyFiles.read(key, cert)).getMessage().contains("chmod 600"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path empty = dir.resolve("empty.crt");
        Files.writeString(empty, "nothing here\n");
        assertTrue(assertThrows(KeyFileException.class, () -> TlsKeyFiles.readCertificates(empty)).getMessage()
                .contains("no '-----BEGIN CERTIFICATE-----' block"));
        Path cut = dir.resolve("cut.crt");
        Files.writeString(cut, Files.readString(cert).replace("-----END CERTIFICATE-----", ""));
        assertThrows(KeyFileException.class, () -> TlsKeyFiles.readCertificates(cut));
        TlsKeyFiles.generate(dir, "other");
        assertTrue(assertThrows(KeyFileException.class, () -> TlsKeyFiles.read(key, TlsKeyFiles.certificateFile(dir, "other")))
                .getMessage().contains("does not hold the key of certificate"));
        // a certificate where the key belongs, and the key where the certificate belongs
        assertThrows(KeyFileException.class, () -> TlsKeyFiles.read(cert, cert));
        assertThrows(KeyFileException.class, () -> TlsKeyFiles.read(key, key));
    }
}
