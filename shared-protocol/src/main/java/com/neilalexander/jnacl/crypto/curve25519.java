package com.neilalexander.jnacl.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;

/**
 * Curve25519 scalar multiplication for jnacl (and so for JeroMQ's CURVE handshakes), computed by
 * the JDK's X25519 (RFC 7748, the same function as NaCl's {@code crypto_scalarmult}: clamped
 * scalar, little-endian u-coordinates, the top bit of u ignored). It replaces jnacl 1.0.0's own
 * class of this name, a port of TweetNaCl's reference arithmetic: ~7 ms per multiplication on
 * the edge JVMs (C1 only) against ~0.3 ms here. A CURVE handshake makes about five on each side
 * on the ZeroMQ I/O thread, so every fresh connection held up every other message of that
 * context for ~35 ms (docs/evaluation.md, section 1c). The build unpacks jnacl's other classes
 * into this module without its version of this one (shared-protocol/pom.xml); the class keeps
 * jnacl's name and public signatures because jnacl and JeroMQ call it by them. jnacl is BSD
 * 2-clause licensed (Neil Alexander); see NOTICE-jnacl.txt.
 */
public class curve25519 {
    final int CRYPTO_BYTES = 32;
    final int CRYPTO_SCALARBYTES = 32;

    /** The base point, u = 9. */
    private static final byte[] BASE = new byte[32];

    static {
        BASE[0] = 9;
    }

    /** Which implementation runs (the build must not let jnacl's own class in ahead of this one). */
    public static final String IMPLEMENTATION = "jdk-x25519";

    /** q = n * base point. Always 0. */
    public static int crypto_scalarmult_base(byte[] q, byte[] n) {
        return crypto_scalarmult(q, n, BASE);
    }

    /**
     * q = n * p (32 bytes each). Returns 0. Where the JDK refuses the result (p of small order:
     * an all-zero shared secret), q is all zeros, as NaCl returns it; the CURVE handshake then
     * fails its box check like any other bad key.
     */
    public static int crypto_scalarmult(byte[] q, byte[] n, byte[] p) {
        try {
            KeyFactory keys = KeyFactory.getInstance("XDH");
            PrivateKey scalar = keys.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, Arrays.copyOf(n, 32)));
            PublicKey point = keys.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, littleEndianU(p)));
            KeyAgreement agreement = KeyAgreement.getInstance("XDH");
            agreement.init(scalar);
            agreement.doPhase(point, true);
            byte[] secret = agreement.generateSecret();
            System.arraycopy(secret, 0, q, 0, 32);
        } catch (java.security.InvalidKeyException | IllegalStateException smallOrder) {
            Arrays.fill(q, 0, 32, (byte) 0); // the JDK refuses an all-zero secret; NaCl returns it
        } catch (GeneralSecurityException e) {
            // no X25519 in this runtime (a jlink'd image without jdk.crypto.ec): say so, never a silent zero key
            throw new IllegalStateException("X25519 is not available in this Java runtime (module jdk.crypto.ec): " + e, e);
        }
        return 0;
    }

    /** The u-coordinate of a 32-byte little-endian encoding, top bit masked (RFC 7748, section 5). */
    static BigInteger littleEndianU(byte[] p) {
        byte[] bigEndian = new byte[32];
        for (int i = 0; i < 32; i++) {
            bigEndian[i] = p[31 - i];
        }
        bigEndian[0] &= 0x7f;
        return new BigInteger(1, bigEndian);
    }
}
