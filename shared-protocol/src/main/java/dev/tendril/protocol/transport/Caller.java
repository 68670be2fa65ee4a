package dev.tendril.protocol.transport;

import java.util.Objects;

/**
 * Who sent a request, as the transport authenticated it: the CURVE public key the peer
 * proved it holds, and what that key is enrolled as. Handlers decide what the caller may ask
 * (authorisation is a use-case concern); the transport only says who it is.
 *
 * @param publicKey the peer's CURVE public key (Z85), "" when the server runs in clear
 * @param name      the enrolled identity: a platform id, an operator name, "" when anonymous or clear
 * @param role      what the key is enrolled as
 */
public record Caller(String publicKey, String name, Role role) {

    public enum Role {
        /** No CURVE on this server (the {@code local} preset): nobody is authenticated, nothing is refused. */
        CLEAR,
        /** CURVE without an allowlist: the peer knows the server key, nothing more is known. */
        ANONYMOUS,
        /** An enrolled edge platform; {@link #name()} is its platform (node) id. */
        PLATFORM,
        /** An enrolled operator; {@link #name()} is the operator's name. */
        OPERATOR
    }

    private static final Caller CLEAR = new Caller("", "", Role.CLEAR);

    public Caller {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }

    /** The caller of every request on a server without CURVE. */
    public static Caller clear() {
        return CLEAR;
    }

    public static Caller anonymous(String publicKey) {
        return new Caller(publicKey, "", Role.ANONYMOUS);
    }

    public static Caller platform(String platformId, String publicKey) {
        return new Caller(publicKey, platformId, Role.PLATFORM);
    }

    public static Caller operator(String name, String publicKey) {
        return new Caller(publicKey, name, Role.OPERATOR);
    }

    public boolean isClear() {
        return role == Role.CLEAR;
    }

    public boolean isOperator() {
        return role == Role.OPERATOR;
    }

    /** True when the caller is the enrolled platform {@code platformId}. */
    public boolean isPlatform(String platformId) {
        return role == Role.PLATFORM && name.equals(platformId);
    }

    /** For log lines: role, name and the first characters of the key (never a secret). */
    public String describe() {
        if (role == Role.CLEAR) {
            return "clear";
        }
        String key = publicKey.length() > 8 ? publicKey.substring(0, 8) + "…" : publicKey;
        return role.name().toLowerCase(java.util.Locale.ROOT) + (name.isEmpty() ? "" : " " + name) + " (key " + key + ")";
    }
}
