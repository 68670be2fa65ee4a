#!/usr/bin/env python3
"""How much time the link harness adds beyond the delays it is configured with.

Run by link-excess.sh inside a chain r - s1 - ... - sN (every link DELAY ms one way), with a
host uK on switch sK, so uK is K+1 links from r. For each uK it times UDP echoes (small and
1,000-byte datagrams) and TCP connects (SYN -> SYN/ACK) to r, subtracts the configured round
trip 2 x (K+1) x DELAY, and fits excess = a + b x (link traversals) by least squares: b is
what one frame's pass over one relayed link costs beyond its delay (the relays' wake-ups and
the bridges between them), a what the two ends cost (kernel, this script). Prints one line per
host and probe, then the fit.

  link-excess.py server PORT                 (in r)
  link-excess.py client PREFIX N DELAY_MS COUNT   (in the root namespace: enters uK itself)
"""
import select
import socket
import subprocess
import sys
import time


def server(port):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", port))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", port))
    t.listen(128)
    while True:
        for ready in select.select([u, t], [], [])[0]:
            if ready is u:
                data, peer = u.recvfrom(4096)
                u.sendto(data, peer)
            else:
                ready.accept()[0].close()


def probe(target, port, count, kind):
    """Round-trip times in ms (count probes, 20 ms apart), run inside a host's namespace."""
    out = []
    for _ in range(count):
        if kind == "tcp":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(2)
            t0 = time.perf_counter()
            try:
                s.connect((target, port))
                out.append((time.perf_counter() - t0) * 1000)
            except OSError:
                pass
            s.close()
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2)
            payload = b"x" * (100 if kind == "udp100" else 1000)
            t0 = time.perf_counter()
            s.sendto(payload, (target, port))
            try:
                s.recvfrom(4096)
                out.append((time.perf_counter() - t0) * 1000)
            except OSError:
                pass
            s.close()
        time.sleep(0.02)
    return out


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if v else float("nan")


def client(prefix, n, delay_ms, count):
    rows = []
    for k in range(1, n + 1):
        links = k + 1
        for kind in ("udp100", "udp1000", "tcp"):
            cmd = ["ip", "netns", "exec", f"{prefix}u{k}", sys.executable, __file__, "probe", "10.77.0.1", "9977",
                   str(count), kind]
            res = subprocess.run(cmd, capture_output=True, text=True, check=True)
            rtts = [float(x) for x in res.stdout.split()]
            excess = median(rtts) - 2 * links * delay_ms
            rows.append((kind, links, excess, len(rtts)))
            print(f"u{k} ({links} links each way) {kind:8s} n={len(rtts):4d} median RTT {median(rtts):8.3f} ms,"
                  f" beyond the configured {2 * links * delay_ms:.0f} ms: {excess:6.3f} ms")
    for kind in ("udp100", "udp1000", "tcp"):
        pts = [(2 * links, ex) for kd, links, ex, _ in rows if kd == kind]
        mx = sum(x for x, _ in pts) / len(pts)
        my = sum(y for _, y in pts) / len(pts)
        b = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
        a = my - b * mx
        print(f"fit {kind:8s}: {b * 1000:6.0f} us per link traversal, {a:6.3f} ms at the two ends")


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    elif sys.argv[1] == "probe":
        print("\n".join(f"{x:.4f}" for x in probe(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])))
    else:
        client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
