package dev.tendril.edge.adapter.out.ebpf;

import dev.tendril.edge.monitoring.latency.ProbeStatus;
import dev.tendril.edge.monitoring.latency.RttCounters;
import dev.tendril.edge.monitoring.latency.UserKey;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The loaded and attached eBPF program {@code tendril_rtt.bpf.o}: its port filter and its
 * per-user map. Opening never throws for an expected reason (no privileges, no BTF, no
 * libbpf): it returns {@link Failed} with what is missing. Not thread-safe.
 */
final class BpfRttProgram implements AutoCloseable {
    static final String PROGRAM = "tendril_tcp_probe";
    static final String PORTS_MAP = "watched_ports";
    static final String RTT_MAP = "rtt_by_user";
    static final String MECHANISM = "eBPF tp_btf/tcp_probe";

    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;
    private static final int ENOTSUPP = 524;
    private static final int BATCH = 1024;
    static final String PRIVILEGES = "privileges to load eBPF programs (CAP_BPF and CAP_PERFMON, or root)";

    sealed interface Opening permits Opened, Failed { }

    record Opened(BpfRttProgram program) implements Opening { }

    record Failed(ProbeStatus.Degraded status) implements Opening {
        Failed(String missing, String detail) {
            this(new ProbeStatus.Degraded(missing, detail));
        }
    }

    private final LibBpf bpf;
    private final LibBpf.LibC libc;
    private final Runtime runtime;
    private final Pointer object;
    private final Pointer objectBytes; // libbpf reads the ELF in place: keep it alive
    private Pointer link;
    private final int portsFd;
    private final int rttFd;
    private final Set<Integer> ports = new HashSet<>();
    private boolean batchWorks = true;
    private boolean closed;
    /**
     * The batch read's buffers, made at the first read and reused: the map is read every
     * monitoring round (twice a second by default), and fresh ones (56 KB of arrays and as much
     * native memory a read) were half of an idle node's allocation.
     */
    private BatchBuffers batchBuffers;

    private record BatchBuffers(Pointer keys, Pointer values, Pointer inBatch, Pointer outBatch,
                                byte[] keyBytes, byte[] valueBytes) {
        static BatchBuffers allocate(Runtime runtime) {
            return new BatchBuffers(Memory.allocateDirect(runtime, (long) BATCH * RttMapLayout.KEY_SIZE),
                    Memory.allocateDirect(runtime, (long) BATCH * RttMapLayout.VALUE_SIZE),
                    Memory.allocateDirect(runtime, 8), Memory.allocateDirect(runtime, 8),
                    new byte[BATCH * RttMapLayout.KEY_SIZE], new byte[BATCH * RttMapLayout.VALUE_SIZE]);
        }
    }

    private BpfRttProgram(LibBpf bpf, LibBpf.LibC libc, Pointer object, Pointer objectBytes, Pointer link,
                          int portsFd, int rttFd) {
        this.bpf = bpf;
        this.libc = libc;
        this.runtime = Runtime.getRuntime(bpf);
        this.object = object;
        this.objectBytes = objectBytes;
        this.link = link;
        this.portsFd = portsFd;
        this.rttFd = rttFd;
    }

    /**
     * Opens, loads and attaches the program.
     *
     * @param elf      the object file's bytes, or null if it is not on the class path
     * @param maxUsers capacity of the per-user LRU map
     * @param verbose  keep libbpf's own log on stderr (verifier output) instead of silencing it
     */
    static Opening open(byte[] elf, int maxUsers, boolean verbose) {
        if (elf == null) {
            return new Failed("the eBPF object dev/tendril/ebpf/tendril_rtt.bpf.o on the class path",
                    "build the ebpf module (make -C ebpf)");
        }
        if (!java.nio.file.Files.isReadable(java.nio.file.Path.of("/sys/kernel/btf/vmlinux"))) {
            return new Failed("kernel BTF type information (/sys/kernel/btf/vmlinux)",
                    "the kernel must be built with CONFIG_DEBUG_INFO_BTF");
        }
        NativeLibraries.Binding binding = NativeLibraries.bind();
        if (binding instanceof NativeLibraries.Missing missing) {
            return new Failed("libbpf.so.1 (install the libbpf1 package)", missing.detail());
        }
        NativeLibraries.Bound libs = (NativeLibraries.Bound) binding;
        LibBpf bpf = libs.bpf();
        Runtime runtime = Runtime.getRuntime(bpf);
        if (!verbose) {
            bpf.libbpf_set_print(null);
        }
        Pointer bytes = Memory.allocateDirect(runtime, elf.length);
        bytes.put(0, elf, 0, elf.length);
        Pointer object = bpf.bpf_object__open_mem(bytes, elf.length, null);
        if (object == null) {
            return new Failed("a valid eBPF object",
                    "bpf_object__open_mem: " + libs.libc().strerror(runtime.getLastError()));
        }
        Opening opening = loadAndAttach(libs, object, bytes, maxUsers);
        if (opening instanceof Failed) {
            bpf.bpf_object__close(object);
        }
        return opening;
    }

    private static Opening loadAndAttach(NativeLibraries.Bound libs, Pointer object, Pointer bytes, int maxUsers) {
        LibBpf bpf = libs.bpf();
        Pointer rttMap = bpf.bpf_object__find_map_by_name(object, RTT_MAP);
        Pointer program = bpf.bpf_object__find_program_by_name(object, PROGRAM);
        if (rttMap == null || program == null || bpf.bpf_object__find_map_by_name(object, PORTS_MAP) == null) {
            return new Failed("the program and maps Tendril expects in the eBPF object",
                    "want program " + PROGRAM + ", maps " + PORTS_MAP + " and " + RTT_MAP);
        }
        int rc = bpf.bpf_map__set_max_entries(rttMap, maxUsers);
        if (rc < 0) {
            return new Failed("a valid map size", maxUsers + ": " + libs.libc().strerror(-rc));
        }
        rc = bpf.bpf_object__load(object);
        if (rc < 0) {
            return new Failed(loadFailure(-rc), "bpf_object__load: " + libs.libc().strerror(-rc));
        }
        Pointer link = bpf.bpf_program__attach(program);
        if (link == null) {
            int errno = Runtime.getRuntime(bpf).getLastError();
            String detail = "bpf_program__attach: " + libs.libc().strerror(errno);
            if ((errno == EPERM || errno == EACCES) && !Capabilities.mayLoadTracingPrograms()) {
                return new Failed(PRIVILEGES, detail);
            }
            return new Failed("the tracepoint tcp:tcp_probe in this kernel", detail);
        }
        int portsFd = bpf.bpf_map__fd(bpf.bpf_object__find_map_by_name(object, PORTS_MAP));
        int rttFd = bpf.bpf_map__fd(rttMap);
        return new Opened(new BpfRttProgram(bpf, libs.libc(), object, bytes, link, portsFd, rttFd));
    }

    /** EPERM/EACCES mean missing privileges only if we lack them: the verifier says EACCES too. */
    private static String loadFailure(int errno) {
        if (!Capabilities.mayLoadTracingPrograms()) {
            return PRIVILEGES;
        }
        if (errno == EPERM || errno == EACCES) {
            return "a kernel that accepts the program (its verifier or a security policy refused it;"
                    + " rerun with --verbose for the verifier log)";
        }
        return "kernel support for the eBPF program (BTF tracepoint tcp:tcp_probe, LRU hash maps)";
    }

    /** Makes the kernel filter exactly these local ports. */
    void setPorts(Set<Integer> wanted) {
        Pointer key = Memory.allocateDirect(runtime, 2);
        Pointer one = Memory.allocateDirect(runtime, 1);
        one.putByte(0, (byte) 1);
        for (int port : Set.copyOf(ports)) {
            if (!wanted.contains(port)) {
                key.putShort(0, (short) port);
                check(bpf.bpf_map_delete_elem(portsFd, key), "delete port " + port, ENOENT);
                ports.remove(port);
            }
        }
        for (int port : wanted) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535: " + port);
            }
            if (!ports.contains(port)) {
                key.putShort(0, (short) port);
                check(bpf.bpf_map_update_elem(portsFd, key, one, 0), "watch port " + port);
                ports.add(port);
            }
        }
    }

    /** Every entry of the per-user map: batch lookups where the kernel has them, else iteration. */
    List<RttCounters> readAll() {
        if (batchWorks) {
            List<RttCounters> batched = readBatched();
            if (batched != null) {
                return batched;
            }
        }
        return readIterating();
    }

    boolean usesBatches() {
        return batchWorks;
    }

    /** Null if batches do not work here (then they are not tried again) or a bucket overflowed. */
    private List<RttCounters> readBatched() {
        if (batchBuffers == null) {
            batchBuffers = BatchBuffers.allocate(runtime);
        }
        BatchBuffers b = batchBuffers;
        List<RttCounters> out = new ArrayList<>();
        boolean first = true;
        while (true) {
            IntByReference count = new IntByReference(BATCH);
            int rc = bpf.bpf_map_lookup_batch(rttFd, first ? null : b.inBatch(), b.outBatch(), b.keys(), b.values(),
                    count, null);
            if (rc < 0 && -rc != ENOENT) {
                if (-rc == ENOSPC) {
                    return null; // a hash bucket held more than BATCH entries: iterate this time
                }
                if (first && (-rc == EINVAL || -rc == EOPNOTSUPP || -rc == ENOTSUPP)) {
                    batchWorks = false;
                    return null;
                }
                throw failure("bpf_map_lookup_batch", rc);
            }
            int n = count.getValue();
            b.keys().get(0, b.keyBytes(), 0, n * RttMapLayout.KEY_SIZE);
            b.values().get(0, b.valueBytes(), 0, n * RttMapLayout.VALUE_SIZE);
            for (int i = 0; i < n; i++) {
                out.add(RttMapLayout.decode(
                        ByteBuffer.wrap(b.keyBytes(), i * RttMapLayout.KEY_SIZE, RttMapLayout.KEY_SIZE).slice(),
                        ByteBuffer.wrap(b.valueBytes(), i * RttMapLayout.VALUE_SIZE, RttMapLayout.VALUE_SIZE).slice()));
            }
            if (rc < 0) {
                return out; // ENOENT: that was the last chunk
            }
            b.inBatch().putLong(0, b.outBatch().getLong(0));
            first = false;
        }
    }

    private List<RttCounters> readIterating() {
        Pointer key = Memory.allocateDirect(runtime, RttMapLayout.KEY_SIZE);
        Pointer next = Memory.allocateDirect(runtime, RttMapLayout.KEY_SIZE);
        Pointer value = Memory.allocateDirect(runtime, RttMapLayout.VALUE_SIZE);
        byte[] keyBytes = new byte[RttMapLayout.KEY_SIZE];
        byte[] valueBytes = new byte[RttMapLayout.VALUE_SIZE];
        List<RttCounters> out = new ArrayList<>();
        Pointer previous = null;
        while (bpf.bpf_map_get_next_key(rttFd, previous, next) == 0) {
            if (bpf.bpf_map_lookup_elem(rttFd, next, value) == 0) { // gone meanwhile: skip
                next.get(0, keyBytes, 0, keyBytes.length);
                value.get(0, valueBytes, 0, valueBytes.length);
                out.add(RttMapLayout.decode(ByteBuffer.wrap(keyBytes), ByteBuffer.wrap(valueBytes)));
            }
            key.transferFrom(0, next, 0, RttMapLayout.KEY_SIZE);
            previous = key;
        }
        return out;
    }

    /** Removes a user's entry (absent is fine). */
    void delete(UserKey user) {
        byte[] raw = new byte[RttMapLayout.KEY_SIZE];
        RttMapLayout.encodeKey(user, ByteBuffer.wrap(raw));
        Pointer key = Memory.allocateDirect(runtime, raw.length);
        key.put(0, raw, 0, raw.length);
        check(bpf.bpf_map_delete_elem(rttFd, key), "delete " + user, ENOENT);
    }

    private void check(int rc, String what, int... tolerated) {
        if (rc >= 0) {
            return;
        }
        for (int t : tolerated) {
            if (-rc == t) {
                return;
            }
        }
        throw failure(what, rc);
    }

    private IllegalStateException failure(String what, int rc) {
        return new IllegalStateException("eBPF " + what + " failed: " + libc.strerror(-rc));
    }

    /** Detaches and frees the program and its maps; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (link != null) {
            bpf.bpf_link__destroy(link);
            link = null;
        }
        bpf.bpf_object__close(object);
    }
}
