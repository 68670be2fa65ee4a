// SPDX-License-Identifier: (GPL-2.0-only OR BSD-3-Clause)
/*
 * Per-user TCP round-trip time, measured in the kernel where the user is served.
 *
 * Attached to the BTF tracepoint tcp:tcp_probe, which fires for every segment received on
 * an established TCP socket, in every network namespace. For sockets whose local port is
 * in `watched_ports` (the hosted services' ports, filled from user space) it adds the
 * socket's smoothed RTT to the user's entry in `rtt_by_user`, keyed by (network namespace,
 * local port, remote address). CO-RE: field offsets are relocated against the running
 * kernel's BTF at load time, so one object runs on every BTF kernel >= 5.9
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "tendril_rtt.h"

#define TENDRIL_AF_INET 2
#define TENDRIL_AF_INET6 10

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* local ports of interest -> 1 */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u16);
    __type(value, __u8);
} watched_ports SEC(".maps");

/* bounded: the least recently updated users are evicted first (user space may resize it
 * before load with bpf_map__set_max_entries) */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16384);
    __type(key, struct rtt_key);
    __type(value, struct rtt_value);
} rtt_by_user SEC(".maps");

SEC("tp_btf/tcp_probe")
int BPF_PROG(tendril_tcp_probe, struct sock *sk, const struct sk_buff *skb)
{
    /* tp_btf arguments are typed kernel pointers: plain field reads are checked by the
     * verifier and relocated by CO-RE (preserve_access_index in vmlinux.h), and are much
     * cheaper than bpf_probe_read_kernel calls */
    __u16 lport = sk->__sk_common.skc_num;
    if (!bpf_map_lookup_elem(&watched_ports, &lport))
        return 0;

    struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk); /* a checked cast */
    if (!tp)
        return 0;
    __u32 srtt_us = tp->srtt_us >> 3; /* the kernel keeps srtt << 3 */
    if (!srtt_us)
        return 0; /* no RTT sample on this socket yet */

    struct rtt_key key = {};
    key.netns = sk->__sk_common.skc_net.net->ns.inum;
    key.lport = lport;
    __u16 family = sk->__sk_common.skc_family;
    if (family == TENDRIL_AF_INET) {
        __u32 daddr = sk->__sk_common.skc_daddr;
        key.raddr[10] = 0xff;
        key.raddr[11] = 0xff;
        __builtin_memcpy(&key.raddr[12], &daddr, sizeof(daddr));
    } else if (family == TENDRIL_AF_INET6) {
        __builtin_memcpy(&key.raddr, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8, 16);
    } else {
        return 0;
    }
    __u32 min_rtt_us = tp->rtt_min.s[0].v;

    struct rtt_value *value = bpf_map_lookup_elem(&rtt_by_user, &key);
    if (!value) {
        struct rtt_value fresh = {.min_rtt_us = 0xffffffff};
        bpf_map_update_elem(&rtt_by_user, &key, &fresh, BPF_NOEXIST);
        value = bpf_map_lookup_elem(&rtt_by_user, &key);
        if (!value)
            return 0;
    }
    __sync_fetch_and_add(&value->samples, 1);
    __sync_fetch_and_add(&value->srtt_sum_us, srtt_us);
    value->srtt_us = srtt_us;
    if (min_rtt_us && min_rtt_us < value->min_rtt_us)
        value->min_rtt_us = min_rtt_us;
    value->last_seen_ns = bpf_ktime_get_ns();
    return 0;
}
