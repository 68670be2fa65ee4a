package dev.tendril.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tendril.protocol.spec.DeploymentSpec;
import dev.tendril.protocol.spec.DeploymentSpecReader;
import dev.tendril.protocol.spec.Validated;

import java.util.List;

/** Client-side validation of a deployment spec (the node validates again). */
final class SpecFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private SpecFile() {
    }

    static Validated<DeploymentSpec> validate(String text) {
        Object tree;
        try {
            tree = YAML.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            return new Validated.Invalid<>(List.of("(spec): got '(YAML syntax error" + (loc == null ? "" : " at line "
                    + loc.getLineNr() + ", column " + loc.getColumnNr()) + ")'; allowed: well-formed YAML: " + e.getOriginalMessage()));
        }
        if (tree == null) {
            return new Validated.Invalid<>(List.of("(spec): got '(empty document)'; allowed: a YAML mapping"));
        }
        return DeploymentSpecReader.read(tree);
    }
}
