package dev.tendril.edge.bootstrap;

import dev.tendril.edge.domain.Endpoint;
import dev.tendril.protocol.keys.CurveKeyFiles;
import dev.tendril.protocol.keys.KeyFileException;
import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.spec.TreeReader;
import dev.tendril.protocol.transport.CurveKeyPair;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the edge node's {@code security:} section. The {@code lan} and {@code wan} presets
 * (and any socket bound beyond loopback) refuse to start without keys; the error names the
 * tendrilctl commands that make and enrol them.
 */
final class EdgeSecurityReader {
    private EdgeSecurityReader() {
    }

    static EdgeConfig.Security read(TreeReader s, String preset, List<Endpoint> binds, int roots, String platformId,
                                    Path baseDir) {
        s.rejectUnknown("key", "rootKeys", "nextRootKeys", "operatorKeys", "insecureClear", "signingKeys", "maxSpecBytes"); // the last two: EdgeConfigReader.admission
        // an isolated testbed (network namespaces the test made) may run local in clear beyond loopback
        boolean insecureClear = s.bool("insecureClear", false);
        if (insecureClear && !"local".equals(preset)) {
            s.bad("insecureClear", true, "false with the " + preset + " preset (only local may run in clear)");
        }
        Optional<CurveKeyPair> keys = Optional.empty();
        boolean loopback = binds.stream().allMatch(b -> b.host().startsWith("127.") || b.host().equals("::1"));
        if (s.has("key")) {
            String file = s.string("key", "", "the path of this node's CURVE .key file");
            try {
                keys = Optional.of(CurveKeyFiles.readPair(baseDir.resolve(file).normalize()));
            } catch (KeyFileException e) {
                s.bad("key", file, "this node's CURVE .key file, owner-only (" + e.getMessage() + ")");
            }
        } else if (!"local".equals(preset) || (!loopback && !insecureClear)) {
            s.missing("key", "the " + preset + " preset" + (loopback ? "" : " with a socket beyond loopback")
                    + " refuses to run without keys; make them with: tendrilctl keys gen --out keys --name " + platformId
                    + ", enrol them at the root with: tendrilctl keys enrol --root <host:port> platform " + platformId
                    + " keys/" + platformId + ".pub, then set security.key: keys/" + platformId
                    + ".key and security.rootKeys: [<the root's .pub file>] (see docs/security.md)");
        }
        List<String> rootKeys = new ArrayList<>();
        List<String> given = s.strings("rootKeys", "the roots' CURVE public keys (40 Z85 characters or .pub files)");
        for (int i = 0; i < given.size(); i++) {
            try {
                rootKeys.add(readKey(given.get(i), baseDir));
            } catch (KeyFileException e) {
                s.bad("rootKeys[" + i + "]", given.get(i), "a CURVE public key: 40 Z85 characters or a .pub file (" + e.getMessage() + ")");
            }
        }
        if (keys.isPresent() && given.isEmpty()) {
            s.missing("rootKeys", "the public key of the root control endpoint(s) (its .pub file), needed with security.key");
        } else if (given.size() > 1 && given.size() != roots) {
            s.bad("rootKeys", given, "one key for all roots or one per root.control entry (" + roots + ")");
        }
        List<String> nextRootKeys = new ArrayList<>();
        List<String> next = s.strings("nextRootKeys", "the roots' next CURVE public keys (40 Z85 characters or .pub files)");
        for (int i = 0; i < next.size(); i++) {
            try {
                nextRootKeys.add(readKey(next.get(i), baseDir));
            } catch (KeyFileException e) {
                s.bad("nextRootKeys[" + i + "]", next.get(i), "a CURVE public key: 40 Z85 characters or a .pub file (" + e.getMessage() + ")");
            }
        }
        if (next.size() > 1 && next.size() != roots) {
            s.bad("nextRootKeys", next, "one key for all roots or one per root.control entry (" + roots + ")");
        }
        Map<String, String> operators = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : s.stringMap("operatorKeys",
                "a mapping of operator name to CURVE public key (40 Z85 characters or a .pub file)").entrySet()) {
            if (!Names.isDnsLabel(e.getKey())) {
                s.bad("operatorKeys." + e.getKey(), e.getKey(), "an operator name: a DNS label");
                continue;
            }
            try {
                operators.put(e.getKey(), readKey(e.getValue(), baseDir));
            } catch (KeyFileException ex) {
                s.bad("operatorKeys." + e.getKey(), e.getValue(), "a CURVE public key: 40 Z85 characters or a .pub file ("
                        + ex.getMessage() + ")");
            }
        }
        return new EdgeConfig.Security(keys, rootKeys, operators, nextRootKeys);
    }

    /** 40 characters: the key itself; anything else: a file beside the config (never a key by accident). */
    private static String readKey(String value, Path baseDir) {
        return value.length() == 40 ? CurveKeyFiles.readPublic(value) : CurveKeyFiles.readPublic(baseDir.resolve(value).normalize());
    }
}
