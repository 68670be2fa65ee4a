package com.neilalexander.jnacl.crypto;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The JDK-backed Curve25519 that jnacl (and JeroMQ's CURVE) use here: RFC 7748's vectors, NaCl's conventions. */
class Curve25519Test {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    @Test
    void theClassLoadedIsTheJdkOneNotJnaclsOwn() {
        assertEquals("jdk-x25519", curve25519.IMPLEMENTATION);
    }

    @Test
    void rfc7748ScalarMultiplicationVector() {
        byte[] q = new byte[32];
        curve25519.crypto_scalarmult(q, hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"));
        assertArrayEquals(hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"), q);
    }

    @Test
    void rfc7748DiffieHellmanVectorPublicKeysAndSharedSecret() {
        byte[] alice = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePublic = new byte[32];
        byte[] bobPublic = new byte[32];
        curve25519.crypto_scalarmult_base(alicePublic, alice);
        curve25519.crypto_scalarmult_base(bobPublic, bob);
        assertArrayEquals(hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), alicePublic);
        assertArrayEquals(hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), bobPublic);

        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        curve25519.crypto_scalarmult(k1, alice, bobPublic);
        curve25519.crypto_scalarmult(k2, bob, alicePublic);
        assertArrayEquals(hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"), k1);
        assertArrayEquals(k1, k2);
    }

    @Test
    void aPointOfSmallOrderGivesAllZerosAsNaClDoes() {
        byte[] q = new byte[32];
        java.util.Arrays.fill(q, (byte) 1);
        curve25519.crypto_scalarmult(q, hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"), new byte[32]);
        assertArrayEquals(new byte[32], q);
    }

    @Test
    void jnaclsBoxesOpenWithKeysMadeByIt() {
        byte[] pk1 = new byte[32], sk1 = new byte[32], pk2 = new byte[32], sk2 = new byte[32];
        curve25519xsalsa20poly1305.crypto_box_keypair(pk1, sk1);
        curve25519xsalsa20poly1305.crypto_box_keypair(pk2, sk2);
        byte[] k12 = new byte[32];
        byte[] k21 = new byte[32];
        curve25519xsalsa20poly1305.crypto_box_beforenm(k12, pk2, sk1);
        curve25519xsalsa20poly1305.crypto_box_beforenm(k21, pk1, sk2);
        assertArrayEquals(k12, k21, "both sides derive the same box key");

        byte[] nonce = new byte[24];
        byte[] message = new byte[32 + 5];
        System.arraycopy("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, message, 32, 5);
        byte[] boxed = new byte[message.length];
        byte[] opened = new byte[message.length];
        curve25519xsalsa20poly1305.crypto_box_afternm(boxed, message, message.length, nonce, k12);
        assertEquals(0, curve25519xsalsa20poly1305.crypto_box_open_afternm(opened, boxed, boxed.length, nonce, k21));
        assertEquals("hello", new String(opened, 32, 5, java.nio.charset.StandardCharsets.US_ASCII));
    }
}
