package dev.tendril.edge.adapter.out.ebpf;

import jnr.ffi.LibraryLoader;

/**
 * Binds libbpf and libc once per process (binding takes about half a second). A machine
 * without {@code libbpf.so.1} gets {@link Missing}, not an exception.
 */
final class NativeLibraries {

    sealed interface Binding permits Bound, Missing { }

    record Bound(LibBpf bpf, LibBpf.LibC libc) implements Binding { }

    record Missing(String detail) implements Binding { }

    private static Binding binding;

    private NativeLibraries() {
    }

    static synchronized Binding bind() {
        if (binding == null) {
            binding = load();
        }
        return binding;
    }

    private static LibBpf loadBpf() {
        try {
            return LibraryLoader.create(LibBpf.class).failImmediately().load("libbpf.so.1");
        } catch (LinkageError | RuntimeException soname) {
            return LibraryLoader.create(LibBpf.class).failImmediately().load("bpf");
        }
    }

    private static Binding load() {
        try {
            LibBpf.LibC libc = LibraryLoader.create(LibBpf.LibC.class).failImmediately().load("c");
            return new Bound(loadBpf(), libc);
        } catch (LinkageError | RuntimeException e) {
            return new Missing(String.valueOf(e.getMessage()));
        }
    }
}
