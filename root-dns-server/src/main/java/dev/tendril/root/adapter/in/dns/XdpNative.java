package dev.tendril.root.adapter.in.dns;

import jnr.ffi.annotations.SaveError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The system calls of the XDP path, libc bound through jnr-ffi: {@code bpf(2)} (through
 * {@code syscall}, glibc has no wrapper), the AF_XDP socket's calls, {@code mmap}, {@code poll}
 * and an eventfd to wake a poller. Pointers are passed as addresses ({@code long}). Linux on
 * x86-64 or AArch64 only; {@link #unavailable()} says why it cannot be used elsewhere.
 */
final class XdpNative {
    /** The part of libc the XDP path uses. */
    public interface LibC {
        @SaveError
        long syscall(long number, long a, long b, long c);

        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int setsockopt(int fd, int level, int name, long value, int length);

        @SaveError
        int getsockopt(int fd, int level, int name, long value, long length);

        @SaveError
        int bind(int fd, long address, int length);

        /** {@code syscall} with six arguments: {@link #mmap} (glibc's own mmap, called through jnr-ffi 2.2, failed with EINVAL before reaching the kernel). */
        @SaveError
        long syscall(long number, long a, long b, long c, long d, long e, long f);

        int munmap(long address, long length);

        @SaveError
        long sendto(int fd, long buffer, long length, int flags, long address, int addressLength);

        @SaveError
        int poll(long fds, long count, int timeoutMillis);

        @SaveError
        int eventfd(int initial, int flags);

        @SaveError
        long write(int fd, long buffer, long count);

        @SaveError
        long read(int fd, long buffer, long count);

        int if_nametoindex(String name);

        int close(int fd);

        String strerror(int errno);
    }

    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EBUSY = 16;
    static final int ENOBUFS = 105;

    private static final Object LOCK = new Object();
    private static LibC libc;
    private static jnr.ffi.Runtime runtime;
    private static String unavailable;
    private static long sysBpf;
    private static long sysMmap;

    private XdpNative() {
    }

    /** Why the XDP path cannot be used here (not Linux x86-64/AArch64, or libc not bound), or null when it can. */
    static String unavailable() {
        synchronized (LOCK) {
            if (libc == null && unavailable == null) {
                LinuxLibc.Binding<LibC> b = LinuxLibc.bind(LibC.class, "XDP sockets");
                libc = b.libc();
                runtime = b.runtime();
                unavailable = b.unavailable();
                sysBpf = LinuxLibc.aarch64() ? 280 : 321;
                sysMmap = LinuxLibc.aarch64() ? 222 : 9;
            }
            return unavailable;
        }
    }

    /** libc, after {@link #unavailable()} said null. */
    static LibC libc() throws IOException {
        String why = unavailable();
        if (why != null) {
            throw new IOException(why);
        }
        return libc;
    }

    /** {@code bpf(command, attr, size)}: its result, or IOException naming {@code what} and the error. */
    static int bpf(int command, ByteBuffer attr, String what) throws IOException {
        long r = libc().syscall(sysBpf, command, address(attr), attr.capacity());
        if (r < 0) {
            throw failure(what);
        }
        return (int) r;
    }

    /** {@code mmap(NULL, length, PROT_READ | PROT_WRITE, flags, fd, offset)}: the address, or -1 (errno set). */
    static long mmap(long length, int flags, int fd, long offset) throws IOException {
        long r = libc().syscall(sysMmap, 0, length, 0x3, flags, fd, offset);
        return r;
    }

    /** A zeroed direct buffer in native byte order. */
    static ByteBuffer buffer(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    /** The native address of a direct buffer. */
    static long address(ByteBuffer direct) {
        return com.kenai.jffi.MemoryIO.getInstance().getDirectBufferAddress(direct);
    }

    /** A direct buffer over native memory at {@code address} (mapped by the kernel), native byte order. */
    static ByteBuffer at(long address, int size) {
        return com.kenai.jffi.MemoryIO.getInstance().newDirectByteBuffer(address, size).order(ByteOrder.nativeOrder());
    }

    /** The last error of this thread. */
    static int errno() {
        return runtime.getLastError();
    }

    /** An IOException naming {@code call} and the last error of this thread. */
    static IOException failure(String call) {
        int errno = runtime.getLastError();
        return new IOException(call + ": " + libc.strerror(errno) + " (errno " + errno + ")");
    }
}
