package dev.tendril.protocol.spec;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** CPU architectures, named as Docker/OCI names them. */
public enum Arch {
    AMD64("amd64"), ARM64("arm64"), ARM("arm"), I386("386"), PPC64LE("ppc64le"), S390X("s390x"), RISCV64("riscv64");

    private final String ociName;

    Arch(String ociName) {
        this.ociName = ociName;
    }

    public String ociName() {
        return ociName;
    }

    public static Optional<Arch> parse(String name) {
        return Arrays.stream(values()).filter(a -> a.ociName.equals(name)).findFirst();
    }

    /** "amd64, arm64, ..." for messages. */
    public static String allowed() {
        return Arrays.stream(values()).map(Arch::ociName).collect(Collectors.joining(", "));
    }

    /** The arch of this JVM's machine ("os.arch": amd64, x86_64, aarch64, ...). */
    public static Arch ofJvm(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> AMD64;
            case "aarch64", "arm64" -> ARM64;
            case "arm", "armv7l" -> ARM;
            case "x86", "i386", "i686" -> I386;
            case "ppc64le" -> PPC64LE;
            case "s390x" -> S390X;
            case "riscv64" -> RISCV64;
            default -> throw new IllegalArgumentException("unknown os.arch '" + osArch + "'");
        };
    }

    @Override
    public String toString() {
        return ociName;
    }
}
