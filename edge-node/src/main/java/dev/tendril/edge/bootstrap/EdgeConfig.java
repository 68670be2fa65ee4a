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
 * @param security       CURVE keys (see docs/security.md); without them the node runs in clear
 */
public record EdgeConfig(Platform platform, String zone, List<Endpoint> rootControl, List<Platform> infrastructure,
                         NodePolicies policies, String adminKey, Endpoint adminBind, Endpoint treeBind,
                         Runtime runtime, String dockerHost, Path stateDir, Optional<Path> loadFile,
                         List<String> geoipDatabases, Security security) {
    public enum Runtime { DOCKER, PROCESS }

    /**
     * @param keys         this node's CURVE key pair (its tree and admin sockets' server key and
     *                     its client key), or empty: in clear (local preset on loopback only)
     * @param rootKeys     the roots' control endpoint public keys, one per {@code root.control}
     *                     entry or one for all
     * @param operatorKeys operators admitted on the admin socket besides those enrolled at the
     *                     root, name -> public key
     */
    public record Security(Optional<dev.tendril.protocol.transport.CurveKeyPair> keys, List<String> rootKeys,
                           java.util.Map<String, String> operatorKeys) {
        public Security {
            Objects.requireNonNull(keys, "keys");
            rootKeys = List.copyOf(rootKeys);
            operatorKeys = java.util.Map.copyOf(operatorKeys);
        }

        public static Security clear() {
            return new Security(Optional.empty(), List.of(), java.util.Map.of());
        }
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
        security = security == null ? Security.clear() : security;
        if (geoipDatabases.isEmpty()) {
            throw new IllegalArgumentException("geoipDatabases must not be empty");
        }
    }
}
