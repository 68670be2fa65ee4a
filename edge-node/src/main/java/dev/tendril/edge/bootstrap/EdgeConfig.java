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
 * @param security       what this node accepts (docs/security.md)
 */
public record EdgeConfig(Platform platform, String zone, List<Endpoint> rootControl, List<Platform> infrastructure,
                         NodePolicies policies, String adminKey, Endpoint adminBind, Endpoint treeBind,
                         Runtime runtime, String dockerHost, Path stateDir, Optional<Path> loadFile,
                         List<String> geoipDatabases, Optional<String> dockerNetwork, Security security) {
    public enum Runtime { DOCKER, PROCESS }

    /**
     * @param maxSpecBytes a deployment spec longer than this (UTF-8) is refused before parsing
     * @param adminKeys    the admin keys by operator name ({@code admin.keys}; the single
     *                     {@code admin.key} is named {@value #DEFAULT_ADMIN_NAME})
     * @param operatorKeys files of the operators' Ed25519 public keys (X.509, base64); empty: specs
     *                     need no signature (local use only)
     * @param adminWindow  how far an admin request's send time may be from this node's clock
     */
    public record Security(int maxSpecBytes, java.util.Map<String, String> adminKeys, List<Path> operatorKeys,
                           java.time.Duration adminWindow) {
        public static final java.time.Duration DEFAULT_ADMIN_WINDOW = java.time.Duration.ofSeconds(30);

        public static final String DEFAULT_ADMIN_NAME = "admin";
        public static final int DEFAULT_MAX_SPEC_BYTES = 256 << 10;

        public Security {
            adminKeys = java.util.Map.copyOf(adminKeys);
            operatorKeys = List.copyOf(operatorKeys);
        }

        /** The defaults with one admin key. */
        public static Security of(String adminKey) {
            return new Security(DEFAULT_MAX_SPEC_BYTES, java.util.Map.of(DEFAULT_ADMIN_NAME, adminKey), List.of(),
                    DEFAULT_ADMIN_WINDOW);
        }
    }

    /** With the default security settings and {@code adminKey} as the only admin key. */
    public EdgeConfig(Platform platform, String zone, List<Endpoint> rootControl, List<Platform> infrastructure,
                      NodePolicies policies, String adminKey, Endpoint adminBind, Endpoint treeBind,
                      Runtime runtime, String dockerHost, Path stateDir, Optional<Path> loadFile,
                      List<String> geoipDatabases, Optional<String> dockerNetwork) {
        this(platform, zone, rootControl, infrastructure, policies, adminKey, adminBind, treeBind, runtime, dockerHost,
                stateDir, loadFile, geoipDatabases, dockerNetwork, Security.of(adminKey));
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
        Objects.requireNonNull(security, "security");
        if (geoipDatabases.isEmpty()) {
            throw new IllegalArgumentException("geoipDatabases must not be empty");
        }
    }
}
