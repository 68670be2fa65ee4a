package dev.tendril.edge.bootstrap;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.edge.domain.NodePolicies;
import dev.tendril.edge.domain.Platform;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated configuration of one edge node (see docs/configuration.md, "Edge node").
 *
 * @param platform       this machine
 * @param zone           the DNS zone its trees are registered in
 * @param rootControl    the root control endpoint(s), tried in order
 * @param infrastructure every platform of the environment (this one included)
 * @param policies       thresholds, windows, heartbeats
 * @param adminKey       shared key that admin requests must prove
 * @param adminBind      where the local admin socket listens
 * @param treeBind       where the overlay (tree) socket listens
 * @param runtime        docker or process
 * @param dockerHost     the Docker engine (unix:///var/run/docker.sock)
 * @param stateDir       where the node keeps state (process runtime records)
 * @param loadFile       when present, hardware figures are read from this JSON file instead of measured
 * @param geoipDatabases where users are on the map: {@code builtin:demo} and/or .mmdb files, first hit wins
 * @param dockerNetwork  when present, containers join this Docker network mode (e.g.
 *                       {@code container:<edge container>}: they share the node's own address,
 *                       ports are not published); empty: default bridge, ports published on the
 *                       platform address
 * @param httpBind       where the operator HTTP port (/metrics, /healthz, /readyz) listens, when configured
 * @param admission      what this node accepts from operators: admin keys, spec size, spec signatures (docs/security.md)
 * @param security       CURVE keys (see docs/security.md); without them the node runs in clear
 */
public record EdgeConfig(Platform platform, String zone, List<Endpoint> rootControl, List<Platform> infrastructure,
                         NodePolicies policies, String adminKey, Endpoint adminBind, Endpoint treeBind,
                         Runtime runtime, String dockerHost, Path stateDir, Optional<Path> loadFile,
                         List<String> geoipDatabases, Optional<String> dockerNetwork, Optional<Endpoint> httpBind,
                         Admission admission, Security security) {
    public enum Runtime { DOCKER, PROCESS }

    /**
     * @param keys         this node's CURVE key pair (its tree and admin sockets' server key and
     *                     its client key), or empty: in clear (local preset on loopback only)
     * @param rootKeys     the roots' control endpoint public keys, one per {@code root.control}
     *                     entry or one for all
     * @param operatorKeys operators admitted on the admin socket besides those enrolled at the
     *                     root, name -> public key
     * @param nextRootKeys the roots' next public keys, published ahead of a root's key rotation
     *                     ({@code security.nextRootKeys}): empty, one for all or one per root
     */
    public record Security(Optional<dev.tendril.protocol.transport.CurveKeyPair> keys, List<String> rootKeys,
                           java.util.Map<String, String> operatorKeys, List<String> nextRootKeys) {
        public Security {
            Objects.requireNonNull(keys, "keys");
            rootKeys = List.copyOf(rootKeys);
            operatorKeys = java.util.Map.copyOf(operatorKeys);
            nextRootKeys = List.copyOf(nextRootKeys);
        }

        public Security(Optional<dev.tendril.protocol.transport.CurveKeyPair> keys, List<String> rootKeys,
                        java.util.Map<String, String> operatorKeys) {
            this(keys, rootKeys, operatorKeys, List.of());
        }

        public static Security clear() {
            return new Security(Optional.empty(), List.of(), java.util.Map.of());
        }
    }


    /**
     * @param maxSpecBytes a deployment spec longer than this (UTF-8) is refused before parsing
     * @param adminKeys    the admin keys by operator name ({@code admin.keys}; the single
     *                     {@code admin.key} is named {@value #DEFAULT_ADMIN_NAME})
     * @param signingKeys  files of the operators' Ed25519 public keys (X.509, base64) that deployment
     *                     specs must be signed with; empty: specs need no signature (local use only)
     * @param adminWindow  how far an admin request's send time may be from this node's clock
     */
    public record Admission(int maxSpecBytes, java.util.Map<String, String> adminKeys, List<Path> signingKeys,
                            java.time.Duration adminWindow) {
        public static final java.time.Duration DEFAULT_ADMIN_WINDOW = java.time.Duration.ofSeconds(30);

        public static final String DEFAULT_ADMIN_NAME = "admin";
        public static final int DEFAULT_MAX_SPEC_BYTES = 256 << 10;

        public Admission {
            adminKeys = java.util.Map.copyOf(adminKeys);
            signingKeys = List.copyOf(signingKeys);
        }

        /** The defaults with one admin key. */
        public static Admission of(String adminKey) {
            return new Admission(DEFAULT_MAX_SPEC_BYTES, java.util.Map.of(DEFAULT_ADMIN_NAME, adminKey), List.of(),
                    DEFAULT_ADMIN_WINDOW);
        }
    }

    /** With the default security settings and {@code adminKey} as the only admin key. */
    public EdgeConfig(Platform platform, String zone, List<Endpoint> rootControl, List<Platform> infrastructure,
                      NodePolicies policies, String adminKey, Endpoint adminBind, Endpoint treeBind,
                      Runtime runtime, String dockerHost, Path stateDir, Optional<Path> loadFile,
                      List<String> geoipDatabases) {
        this(platform, zone, rootControl, infrastructure, policies, adminKey, adminBind, treeBind, runtime, dockerHost,
                stateDir, loadFile, geoipDatabases, Optional.empty(), Optional.empty(), Admission.of(adminKey), Security.clear());
    }

    public EdgeConfig {
        Objects.requireNonNull(platform, "platform");
        rootControl = List.copyOf(rootControl);
        infrastructure = List.copyOf(infrastructure);
        Objects.requireNonNull(policies, "policies");
        Objects.requireNonNull(adminKey, "adminKey");
        Objects.requireNonNull(adminBind, "adminBind");
        Objects.requireNonNull(treeBind, "treeBind");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(loadFile, "loadFile");
        geoipDatabases = List.copyOf(geoipDatabases);
        Objects.requireNonNull(dockerNetwork, "dockerNetwork");
        Objects.requireNonNull(httpBind, "httpBind");
        Objects.requireNonNull(admission, "admission");
        security = security == null ? Security.clear() : security;
        if (geoipDatabases.isEmpty()) {
            throw new IllegalArgumentException("geoipDatabases must not be empty");
        }
    }
}
