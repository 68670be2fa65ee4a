package dev.tendril.protocol.keys;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * TLS key pairs on disk, for the replicated roots' Raft transport: {@code <name>.tls.key}
 * (mode 0600) holds an EC P-256 private key as PEM PKCS#8, {@code <name>.crt} a self-signed
 * X.509 certificate of its public key as PEM. Nothing checks a name or a date in these
 * certificates: a peer is admitted when it presents one of the certificates it was given
 * (pinning, see the root's {@code cluster.tls}), so the certificate only carries the key.
 * The JDK has no public API to build a certificate; {@link #selfSigned} writes the few DER
 * fields one needs.
 */
public final class TlsKeyFiles {
    private static final String KEY_PEM = "PRIVATE KEY";
    private static final String CERT_PEM = "CERTIFICATE";
    /** 1.2.840.10045.4.3.2, ecdsa-with-SHA256 (no parameters). */
    private static final byte[] ECDSA_WITH_SHA256 = {0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x04, 0x03, 0x02};
    /** 2.5.4.3, commonName. */
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};

    private TlsKeyFiles() {
    }

    public static Path secretFile(Path dir, String name) {
        return dir.resolve(name + ".tls.key");
    }

    public static Path certificateFile(Path dir, String name) {
        return dir.resolve(name + ".crt");
    }

    /** A private key and its certificate, as read from the two files. */
    public record Identity(PrivateKey key, X509Certificate certificate) {
    }

    /** Makes a fresh EC P-256 pair and its self-signed certificate; refuses to overwrite existing files. */
    public static Identity generate(Path dir, String name) throws IOException {
        Path secret = secretFile(dir, name);
        Path cert = certificateFile(dir, name);
        KeyFiles.requireAbsent(secret, cert);
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = g.generateKeyPair();
            X509Certificate certificate = selfSigned(pair, "tendril " + name, Instant.now());
            KeyFiles.writeSecret(secret, pem(KEY_PEM, pair.getPrivate().getEncoded()));
            KeyFiles.writePublic(cert, pem(CERT_PEM, certificate.getEncoded()));
            return new Identity(pair.getPrivate(), certificate);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
        }
    }

    /** Reads a private key file (owner-only, as {@link KeyFiles#readSecret} checks) and its certificate file. */
    public static Identity read(Path keyFile, Path certificateFile) {
        byte[] der = oneBlock(String.join("\n", KeyFiles.readSecret(keyFile)), KEY_PEM, keyFile);
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new KeyFileException("TLS key file " + keyFile + ": not an EC private key in PKCS#8 (" + e.getMessage()
                    + "); make one with: tendrilctl keys gen-tls --out <dir> --name <name>");
        }
        List<X509Certificate> certs = readCertificates(certificateFile);
        if (certs.size() != 1) {
            throw new KeyFileException("certificate file " + certificateFile + " holds " + certs.size()
                    + " certificates; this root's own must be one");
        }
        if (!pair(key, certs.get(0))) {
            throw new KeyFileException("TLS key file " + keyFile + " does not hold the key of certificate " + certificateFile
                    + " (two files of different pairs?); tendrilctl keys gen-tls writes both of one pair");
        }
        return new Identity(key, certs.get(0));
    }

    /** SHA-256 of the certificate's DER, in hex: what the logs, tendrilctl and the docs name a certificate by. */
    public static String fingerprint(X509Certificate c) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot digest a certificate: " + e.getMessage(), e);
        }
    }

    /** Whether the certificate holds the public key of {@code key}: a signature by the one verifies with the other. */
    private static boolean pair(PrivateKey key, X509Certificate certificate) {
        try {
            byte[] probe = "tendril key pair check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            s.update(probe);
            byte[] signature = s.sign();
            s.initVerify(certificate.getPublicKey());
            s.update(probe);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // not an EC key of the same curve
        }
    }

    /** Every certificate in a PEM file (one or several blocks). */
    public static List<X509Certificate> readCertificates(Path file) {
        String text = String.join("\n", KeyFiles.readPublic(file));
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(text, CERT_PEM)) {
                out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new KeyFileException("certificate file " + file + ": " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new KeyFileException("certificate file " + file + " holds no '-----BEGIN CERTIFICATE-----' block");
        }
        return out;
    }

    /**
     * A version-3 certificate without extensions of {@code pair}'s public key, issued by itself
     * to {@code commonName}, valid from a day before {@code now} with no end (RFC 5280's
     * 99991231235959Z), signed with ECDSA over SHA-256.
     */
    static X509Certificate selfSigned(KeyPair pair, String commonName, Instant now) throws GeneralSecurityException {
        byte[] name = seq(set(seq(COMMON_NAME, tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))));
        byte[] serial = new BigInteger(1, randomBytes(16)).toByteArray(); // positive, as DER wants
        String from = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC)
                .format(now.minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS));
        byte[] tbs = seq(
                tlv(0xA0, tlv(0x02, new byte[] {2})), // [0] version v3
                tlv(0x02, serial),
                seq(ECDSA_WITH_SHA256),
                name,
                seq(tlv(0x17, from.getBytes(StandardCharsets.US_ASCII)),
                        tlv(0x18, "99991231235959Z".getBytes(StandardCharsets.US_ASCII))),
                name,
                pair.getPublic().getEncoded()); // SubjectPublicKeyInfo, DER already
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(pair.getPrivate());
        s.update(tbs);
        byte[] signature = s.sign();
        byte[] bits = new byte[signature.length + 1]; // BIT STRING: no unused bits
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] der = seq(tbs, seq(ECDSA_WITH_SHA256), tlv(0x03, bits));
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static byte[] seq(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] set(byte[]... parts) {
        return tlv(0x31, concat(parts));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A DER element: tag, definite length (short or long form), content. */
    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] oneBlock(String text, String label, Path file) {
        List<byte[]> all;
        try {
            all = blocks(text, label);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("TLS key file " + file + ": " + e.getMessage());
        }
        if (all.size() != 1) {
            throw new KeyFileException("TLS key file " + file + " holds " + all.size() + " '-----BEGIN " + label
                    + "-----' blocks, not one; make one with: tendrilctl keys gen-tls --out <dir> --name <name>");
        }
        return all.get(0);
    }

    /** The base64 content of each {@code -----BEGIN label-----} block, decoded. */
    private static List<byte[]> blocks(String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        List<byte[]> out = new ArrayList<>();
        int at = text.indexOf(begin);
        while (at >= 0) {
            int stop = text.indexOf(end, at);
            if (stop < 0) {
                throw new IllegalArgumentException("a '" + begin + "' block without its '" + end + "' line");
            }
            out.add(Base64.getMimeDecoder().decode(text.substring(at + begin.length(), stop)));
            at = text.indexOf(begin, stop);
        }
        return out;
    }
}
