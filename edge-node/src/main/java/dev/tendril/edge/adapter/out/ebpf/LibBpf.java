package dev.tendril.edge.adapter.out.ebpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;

/**
 * The part of libbpf 1.x ({@code libbpf.so.1}) that the probe uses, bound with jnr-ffi.
 * Conventions of libbpf 1.x: functions returning a pointer return NULL and set errno on
 * failure (hence {@link SaveError}); functions returning int return a negative errno.
 * errno may be left set on success: look at return values first.
 */
public interface LibBpf {

    @SaveError
    Pointer bpf_object__open_mem(@In Pointer objBuf, @size_t long objBufSize, Pointer opts);

    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__find_program_by_name(Pointer obj, String name);

    Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    int bpf_map__set_max_entries(Pointer map, int maxEntries);

    int bpf_map__fd(Pointer map);

    @SaveError
    Pointer bpf_program__attach(Pointer prog);

    int bpf_link__destroy(Pointer link);

    int bpf_map_update_elem(int fd, @In Pointer key, @In Pointer value, long flags);

    int bpf_map_lookup_elem(int fd, @In Pointer key, @Out Pointer value);

    int bpf_map_delete_elem(int fd, @In Pointer key);

    int bpf_map_get_next_key(int fd, @In Pointer key, @Out Pointer nextKey);

    int bpf_map_lookup_batch(int fd, Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values,
                             IntByReference count, Pointer opts);

    /** Replaces libbpf's logger; NULL silences it. Returns the previous one. */
    Pointer libbpf_set_print(Pointer fn);

    /** libc's strerror, bound here to describe negative return values. */
    interface LibC {
        String strerror(int errnum);
    }
}
