package dev.tendril.edge.bootstrap;

import dev.tendril.edge.selforg.application.AgentContext;
import dev.tendril.protocol.text.Decimals;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge's code and the protocol's are compiled with {@code -XDstringConcat=inline} (their
 * pom.xml): no class links a string concatenation through {@code StringConcatFactory}, whose
 * first use per shape costs 3-15 ms in a fresh C1-only JVM, on a first replication's timed path
 * (docs/evaluation.md, 1c). This guards the build setting: an incremental build or a new module
 * setup that drops it fails here.
 */
class StringConcatBytecodeTest {
    private static final byte[] FACTORY = "java/lang/invoke/StringConcatFactory".getBytes(StandardCharsets.US_ASCII);

    @Test
    void noEdgeOrProtocolClassConcatenatesThroughInvokedynamic() throws Exception {
        for (Class<?> anchor : List.of(AgentContext.class, Decimals.class)) {
            List<String> classes = new ArrayList<>();
            List<String> linking = new ArrayList<>();
            forEachClass(location(anchor), (name, bytes) -> {
                classes.add(name);
                if (contains(bytes, FACTORY)) {
                    linking.add(name);
                }
            });
            assertTrue(classes.size() > 50, "read the classes of " + location(anchor) + ": " + classes.size());
            assertEquals(List.of(), linking, "classes of " + location(anchor) + " that concatenate through invokedynamic");
        }
    }

    @Test
    void theCheckSeesAnInvokedynamicConcatenation() throws IOException {
        // this test class itself is compiled without the setting (test sources keep javac's default)
        try (InputStream in = StringConcatBytecodeTest.class.getResourceAsStream("StringConcatBytecodeTest$Sample.class")) {
            assertTrue(contains(in.readAllBytes(), FACTORY));
        }
    }

    static final class Sample {
        static String text(String a, long b) {
            return a + "-" + b;
        }
    }

    private interface ClassVisitor {
        void visit(String name, byte[] bytes) throws IOException;
    }

    private static Path location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static void forEachClass(Path location, ClassVisitor visitor) throws IOException {
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    visitor.visit(location.relativize(f).toString(), Files.readAllBytes(f));
                }
            }
            return;
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            for (JarEntry e : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                try (InputStream in = jar.getInputStream(e)) {
                    visitor.visit(e.getName(), in.readAllBytes());
                }
            }
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
