/* Map layouts shared by tendril_rtt.bpf.c and the Java reader
 * (edge-node: dev.tendril.edge.adapter.out.ebpf.RttMapLayout). Host byte order, no padding
 * surprises: every field is naturally aligned and the sizes are fixed (24 and 32 bytes). */
#ifndef TENDRIL_RTT_H
#define TENDRIL_RTT_H

/* One user of one hosted service as seen from one network namespace. */
struct rtt_key {
    __u32 netns;     /* inode number of the socket's network namespace */
    __u16 lport;     /* local (service) port, host byte order */
    __u16 pad;       /* always 0 */
    __u8 raddr[16];  /* remote address: IPv6, or IPv4 as ::ffff:a.b.c.d */
};

struct rtt_value {
    __u64 last_seen_ns;  /* bpf_ktime_get_ns() of the latest sample (CLOCK_MONOTONIC) */
    __u64 srtt_sum_us;   /* sum of every sample's smoothed RTT, microseconds */
    __u64 samples;       /* number of samples (segments received on established sockets) */
    __u32 srtt_us;       /* latest smoothed RTT, microseconds */
    __u32 min_rtt_us;    /* lowest windowed min RTT of the user's sockets, microseconds */
};

#endif
