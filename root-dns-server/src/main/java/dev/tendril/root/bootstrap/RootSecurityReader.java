package dev.tendril.root.bootstrap;

import dev.tendril.protocol.keys.CurveKeyFiles;
import dev.tendril.protocol.keys.KeyFileException;
import dev.tendril.protocol.message.Names;
import dev.tendril.protocol.spec.TreeReader;
import dev.tendril.protocol.transport.CurveKeyPair;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the root's {@code security:} section. The {@code lan} and {@code wan} presets refuse
 * to start without keys, and so does any control endpoint bound beyond loopback; the error
 * says which tendrilctl command makes them.
 */
final class RootSecurityReader {
    private RootSecurityReader() {
    }

    static RootConfig.Security read(TreeReader s, String preset, String controlBind, String rootId, Path baseDir) {
        s.rejectUnknown("serverKey", "operatorKeys", "insecureClear");
        // an isolated testbed (network namespaces the test made) may run local in clear beyond loopback
        boolean insecureClear = s.bool("insecureClear", false);
        if (insecureClear && !"local".equals(preset)) {
            s.bad("insecureClear", true, "false with the " + preset + " preset (only local may run in clear)");
        }
        Optional<CurveKeyPair> serverKeys = Optional.empty();
        if (s.has("serverKey")) {
            String file = s.string("serverKey", "", "the path of this root's CURVE .key file");
            try {
                serverKeys = Optional.of(CurveKeyFiles.readPair(baseDir.resolve(file).normalize()));
            } catch (KeyFileException e) {
                s.bad("serverKey", file, "a CURVE .key file of this root, owner-only (" + e.getMessage() + ")");
            }
        } else if (!"local".equals(preset) || (!loopback(controlBind) && !insecureClear)) {
            s.missing("serverKey", "the " + preset + " preset (control endpoint on " + controlBind + ") refuses to run "
                    + "without keys; make them with: tendrilctl keys gen --out keys --name " + rootId
                    + " && tendrilctl keys gen --out keys --name alice, then set security.serverKey: keys/" + rootId
                    + ".key and security.operatorKeys: {alice: keys/alice.pub} (see docs/security.md)");
        }
        Map<String, String> operators = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : s.stringMap("operatorKeys",
                "a mapping of operator name to CURVE public key (40 Z85 characters or a .pub file)").entrySet()) {
            String name = e.getKey();
            if (!Names.isDnsLabel(name)) {
                s.bad("operatorKeys." + name, name, "an operator name: a DNS label");
                continue;
            }
            String value = e.getValue();
            try {
                operators.put(name, value.length() == 40 ? CurveKeyFiles.readPublic(value)
                        : CurveKeyFiles.readPublic(baseDir.resolve(value).normalize()));
            } catch (KeyFileException ex) {
                s.bad("operatorKeys." + name, value, "a CURVE public key: 40 Z85 characters or a .pub file (" + ex.getMessage() + ")");
            }
        }
        if (serverKeys.isPresent() && operators.isEmpty()) {
            s.missing("operatorKeys", "at least one operator key when CURVE is on (nobody could enrol platforms); "
                    + "make one with: tendrilctl keys gen --out keys --name alice, then set operatorKeys: {alice: keys/alice.pub}");
        }
        return new RootConfig.Security(serverKeys, operators, serverKeys.isEmpty() ? Optional.empty()
                : Optional.of(baseDir.resolve(s.string("serverKey", "", "the path of this root's CURVE .key file")).normalize()),
                insecureClear);
    }

    static boolean loopback(String address) {
        return address.startsWith("127.") || address.equals("::1");
    }
}
