package dev.tendril.protocol.signing;

import dev.tendril.protocol.message.Names;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;

/**
 * A deployment spec signed by an operator. The signature travels inside the spec text as its
 * last line, a YAML comment, so every path that carries the text (the admin Deploy, the
 * overlay's Replicate, the instance's stored spec) carries the signature with it and YAML
 * readers ignore it:
 *
 * <pre>
 * service: web
 * image: ...
 * #tendril-signature v1 alice BASE64(Ed25519 over the UTF-8 bytes of every line above, newlines included)
 * </pre>
 *
 * Any change to the text above the line, to the signer's name or to the signature, and any
 * text after the line, makes it invalid.
 */
public final class SignedSpec {
    public static final String MARK = "#tendril-signature v1 ";

    /** The outcome of {@link #verify}. */
    public sealed interface Verification {
        /** Signed by {@code signer}, one of the given operators. */
        record Valid(String signer) implements Verification {
        }

        /** No signature line. */
        record Unsigned() implements Verification {
        }

        /** A signature line that does not verify: {@code reason} says why. */
        record Invalid(String reason) implements Verification {
        }
    }

    private SignedSpec() {
    }

    /** The spec text with its signature line appended (a newline is added first when the text lacks one). */
    public static String sign(String specText, String signer, PrivateKey key) {
        Names.requireDnsLabel("signer", signer);
        String body = specText.endsWith("\n") ? specText : specText + "\n";
        return body + MARK + signer + " " + Base64.getEncoder().encodeToString(signature(body, key)) + "\n";
    }

    /** Checks the signature against the operators' public keys by name. */
    public static Verification verify(String text, Map<String, PublicKey> operators) {
        int newline = text.lastIndexOf("\n" + MARK);
        if (newline < 0 && !text.startsWith(MARK)) {
            return new Verification.Unsigned();
        }
        int at = newline < 0 ? 0 : newline + 1;
        String body = text.substring(0, at);
        String line = text.substring(at + MARK.length());
        if (line.endsWith("\n")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.indexOf('\n') >= 0) {
            return new Verification.Invalid("text follows the signature line");
        }
        int space = line.indexOf(' ');
        if (space <= 0) {
            return new Verification.Invalid("the signature line is not 'signer signature'");
        }
        String signer = line.substring(0, space);
        PublicKey key = operators.get(signer);
        if (key == null) {
            return new Verification.Invalid("signed by '" + clean(signer) + "', who is not a configured operator");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(line.substring(space + 1).strip());
        } catch (IllegalArgumentException e) {
            return new Verification.Invalid("the signature is not base64");
        }
        try {
            Signature v = Signature.getInstance(OperatorKeys.ALGORITHM);
            v.initVerify(key);
            v.update(body.getBytes(StandardCharsets.UTF_8));
            return v.verify(sig) ? new Verification.Valid(signer)
                    : new Verification.Invalid("the signature of '" + signer + "' does not match the spec (changed after signing?)");
        } catch (GeneralSecurityException e) {
            return new Verification.Invalid("the signature of '" + signer + "' does not verify: " + e.getMessage());
        }
    }

    private static byte[] signature(String body, PrivateKey key) {
        try {
            Signature s = Signature.getInstance(OperatorKeys.ALGORITHM);
            s.initSign(key);
            s.update(body.getBytes(StandardCharsets.UTF_8));
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    private static String clean(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
