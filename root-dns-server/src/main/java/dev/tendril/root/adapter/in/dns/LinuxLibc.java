package dev.tendril.root.adapter.in.dns;

import jnr.ffi.LibraryLoader;

import java.util.Locale;

/**
 * Binds an interface of libc functions through jnr-ffi where this is Linux on x86-64 or
 * AArch64 (the two layouts and system call tables the DNS paths on raw sockets know), or says
 * why it cannot. {@link MmsgSocket} and {@link XdpNative} each bind their own part once.
 */
final class LinuxLibc {
    /** The bound interface and its runtime, or (both null) why not. */
    record Binding<T>(T libc, jnr.ffi.Runtime runtime, String unavailable) {
    }

    private LinuxLibc() {
    }

    /** Binds {@code type}; {@code needs} names what needs it, for the message where it cannot be bound. */
    static <T> Binding<T> bind(Class<T> type, String needs) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || aarch64())) {
            return new Binding<>(null, null, needs + " need Linux on x86-64 or AArch64; this is " + os + " " + arch);
        }
        try {
            T libc = LibraryLoader.create(type).failImmediately().load("c");
            return new Binding<>(libc, jnr.ffi.Runtime.getRuntime(libc), null);
        } catch (LinkageError | RuntimeException e) {
            return new Binding<>(null, null, "cannot bind libc through jnr-ffi: " + e);
        }
    }

    /** Whether this JVM runs on AArch64 (else x86-64, where {@link #bind} succeeded). */
    static boolean aarch64() {
        return "aarch64".equals(System.getProperty("os.arch"));
    }
}
