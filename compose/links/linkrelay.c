/*
 * linkrelay: one emulated link between two network namespaces, without netem.
 *
 * Creates a TAP device in each of two network namespaces and forwards every Ethernet
 * frame read from one to the other after a one-way delay (plus uniform jitter), dropping
 * each frame with a fixed probability. Both directions use the same parameters. Frames
 * keep their order (a jittered frame never overtakes an earlier one), like netem with a
 * rate set. Each direction holds at most --limit frames; more are dropped (tail drop).
 *
 * The TAP devices are not persistent: they vanish when this process exits. The process
 * prints "ready" on stdout once both devices exist, and exits cleanly on SIGTERM/SIGINT,
 * printing its counters on stderr.
 *
 * Timer lateness: a wake-up at a frame's due time comes late on a virtual machine (ppoll with
 * a 1 ns timer slack and SCHED_FIFO: 36 / 74 / 121 us at p10 / p50 / p90 on the 2-core VM of
 * 2026-12-05), and every relayed link of a path added that to its delay. The relay measures
 * how late its own timed wake-ups are (a running mean, EWMA 1/16, samples capped at 1 ms so a
 * preemption does not swing it), aims each wake-up that much before the next due time, and
 * on waking sends every frame due within that margin (sleeping again would send it later
 * than sending it now). The delay a frame sees is then centred on the configured one instead
 * of lying above it by the mean lateness. A frame that wakes the relay waited the same kind of
 * wake-up before the relay could read it, so its due time counts from that mean lateness
 * before the read (never from before the relay went to sleep). --lateness off turns both off
 * (the relay then dates a frame by its read and sends it no earlier than its due time).
 *
 * With --control FILE, SIGHUP re-reads the link's parameters from FILE ("DELAY_US
 * JITTER_US LOSS", one line) and prints "set delay_us=.. jitter_us=.. loss=.." on stdout:
 * the harness changes a running link this way (tendril-links set). Frames already queued
 * keep their due time; order is kept.
 *
 * usage: linkrelay --a NETNS_PATH:IFNAME --b NETNS_PATH:IFNAME
 *                  [--delay-us N] [--jitter-us N] [--loss FRACTION] [--seed N] [--limit N]
 *                  [--realtime PRIORITY]   (SCHED_FIFO priority, default 10; 0 = off)
 *                  [--control FILE]        (SIGHUP re-reads delay, jitter and loss from FILE)
 *                  [--lateness on|off]     (aim timed wake-ups early by their measured lateness; default on)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX 2048 /* MTU 1500 + Ethernet header fits; larger frames are dropped */

struct frame {
    uint64_t due_ns;
    uint16_t len;
    uint8_t data[FRAME_MAX];
};

struct direction {
    const char *name;
    int in_fd, out_fd;
    struct frame *ring;
    uint32_t head, count;
    uint64_t last_due_ns;
    uint64_t forwarded, lost, overflow, oversize, write_errors;
};

static volatile sig_atomic_t stop, reload;
static const char *control;
static uint64_t rng_state;
static uint32_t limit = 4096;
static uint64_t delay_ns, jitter_ns;
static double loss;
static int realtime = 10; /* SCHED_FIFO priority, 0 = normal scheduling */
static int compensate = 1; /* --lateness on */
static uint64_t lateness_ns; /* running mean of how late a timed wake-up came */
#define LATENESS_CAP_NS 1000000ull

/* One timed wake-up came `late` ns after the instant it was aimed at. */
static void note_lateness(uint64_t late) {
    if (late > LATENESS_CAP_NS) late = LATENESS_CAP_NS;
    lateness_ns = lateness_ns - lateness_ns / 16 + late / 16;
}

static void on_signal(int sig) { (void)sig; stop = 1; }
static void on_reload(int sig) { (void)sig; reload = 1; }

/* Reads "DELAY_US JITTER_US LOSS" from the control file; keeps the old values if it is bad. */
static void reload_parameters(void) {
    unsigned long long d, j;
    double l;
    FILE *f = fopen(control, "r");
    if (!f) { fprintf(stderr, "linkrelay: cannot read %s: %s\n", control, strerror(errno)); return; }
    int n = fscanf(f, "%llu %llu %lf", &d, &j, &l);
    fclose(f);
    if (n != 3 || l < 0 || l > 1) { fprintf(stderr, "linkrelay: bad control file %s\n", control); return; }
    delay_ns = d * 1000ull;
    jitter_ns = j * 1000ull;
    loss = l;
    printf("set delay_us=%llu jitter_us=%llu loss=%.6f\n", d, j, l);
    fflush(stdout);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* splitmix64: small, seeded, reproducible */
static uint64_t next_random(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double random_unit(void) { return (double)(next_random() >> 11) / (double)(1ull << 53); }

static void die(const char *what, const char *detail) {
    fprintf(stderr, "linkrelay: %s %s: %s\n", what, detail ? detail : "", strerror(errno));
    exit(1);
}

/* Enters the namespace at ns_path and creates the TAP device ifname there. */
static int open_tap(const char *spec) {
    char path[512];
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || strlen(colon + 1) == 0 || strlen(colon + 1) >= IFNAMSIZ
        || (size_t)(colon - spec) >= sizeof(path)) {
        fprintf(stderr, "linkrelay: bad side '%s' (want NETNS_PATH:IFNAME)\n", spec);
        exit(2);
    }
    memcpy(path, spec, (size_t)(colon - spec));
    path[colon - spec] = 0;
    int ns = open(path, O_RDONLY | O_CLOEXEC);
    if (ns < 0) die("open namespace", path);
    if (setns(ns, CLONE_NEWNET) < 0) die("setns", path);
    close(ns);
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) die("open", "/dev/net/tun");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, colon + 1, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) die("TUNSETIFF", spec);
    return fd;
}

static void receive(struct direction *d, uint64_t now) {
    for (int batch = 0; batch < 256; batch++) {
        uint8_t *slot;
        uint8_t scratch[FRAME_MAX];
        int full = d->count >= limit;
        slot = full ? scratch : d->ring[(d->head + d->count) % limit].data;
        ssize_t n = read(d->in_fd, slot, FRAME_MAX);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            die("read", d->name);
        }
        if (n == 0) return;
        if (n >= FRAME_MAX) { d->oversize++; continue; }
        if (loss > 0 && random_unit() < loss) { d->lost++; continue; }
        if (full) { d->overflow++; continue; }
        uint64_t due = now + delay_ns;
        if (jitter_ns) {
            int64_t j = (int64_t)(random_unit() * (double)(2 * jitter_ns + 1)) - (int64_t)jitter_ns;
            due = (j < 0 && (uint64_t)(-j) > due - now) ? now : due + (uint64_t)j;
        }
        if (due < d->last_due_ns) due = d->last_due_ns; /* keep order */
        d->last_due_ns = due;
        struct frame *f = &d->ring[(d->head + d->count) % limit];
        f->due_ns = due;
        f->len = (uint16_t)n;
        d->count++;
    }
}

/* Sends every frame due by `by`; returns the due time of the next one, or UINT64_MAX. */
static uint64_t release(struct direction *d, uint64_t by) {
    while (d->count) {
        struct frame *f = &d->ring[d->head];
        if (f->due_ns > by) return f->due_ns;
        if (write(d->out_fd, f->data, f->len) < 0) d->write_errors++;
        else d->forwarded++;
        d->head = (d->head + 1) % limit;
        d->count--;
    }
    return UINT64_MAX;
}

static void report(const struct direction *d) {
    fprintf(stderr, "linkrelay %s: forwarded=%llu lost=%llu overflow=%llu oversize=%llu write_errors=%llu\n",
            d->name, (unsigned long long)d->forwarded, (unsigned long long)d->lost,
            (unsigned long long)d->overflow, (unsigned long long)d->oversize,
            (unsigned long long)d->write_errors);
}

int main(int argc, char **argv) {
    const char *side_a = NULL, *side_b = NULL;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) { fprintf(stderr, "linkrelay: %s needs a value\n", arg); return 2; }
        if (!strcmp(arg, "--a")) side_a = val;
        else if (!strcmp(arg, "--b")) side_b = val;
        else if (!strcmp(arg, "--delay-us")) delay_ns = strtoull(val, NULL, 10) * 1000ull;
        else if (!strcmp(arg, "--jitter-us")) jitter_ns = strtoull(val, NULL, 10) * 1000ull;
        else if (!strcmp(arg, "--loss")) loss = strtod(val, NULL);
        else if (!strcmp(arg, "--seed")) seed = strtoull(val, NULL, 10);
        else if (!strcmp(arg, "--limit")) limit = (uint32_t)strtoul(val, NULL, 10);
        else if (!strcmp(arg, "--realtime")) realtime = atoi(val);
        else if (!strcmp(arg, "--control")) control = val;
        else if (!strcmp(arg, "--lateness")) {
            if (strcmp(val, "on") && strcmp(val, "off")) {
                fprintf(stderr, "linkrelay: bad --lateness '%s' (on, off)\n", val);
                return 2;
            }
            compensate = !strcmp(val, "on");
        }
        else { fprintf(stderr, "linkrelay: unknown option %s\n", arg); return 2; }
        i++;
    }
    if (!side_a || !side_b || loss < 0 || loss > 1 || limit == 0) {
        fprintf(stderr, "usage: linkrelay --a NETNS_PATH:IFNAME --b NETNS_PATH:IFNAME "
                        "[--delay-us N] [--jitter-us N] [--loss 0..1] [--seed N] [--limit N] [--realtime P] [--control FILE] "
                        "[--lateness on|off]\n");
        return 2;
    }
    rng_state = seed;
    prctl(PR_SET_TIMERSLACK, 1UL); /* wake up on time: the delay is the point */
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* the harness died (even by SIGKILL): stop too */
    if (realtime) {
        /* Release frames on time even when the machine is busy. The relay sleeps in ppoll
         * between frames, so a real-time priority costs others nothing when idle. */
        struct sched_param sp = {.sched_priority = realtime};
        if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
            fprintf(stderr, "linkrelay: no real-time priority (%s); delays may stretch under load\n",
                    strerror(errno));
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (control) {
        sa.sa_handler = on_reload;
        sigaction(SIGHUP, &sa, NULL);
    }
    /* The signals are taken only inside ppoll, so none is missed between a check and the wait. */
    sigset_t blocked, waiting;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGHUP);
    sigprocmask(SIG_BLOCK, &blocked, &waiting);
    sigdelset(&waiting, SIGTERM);
    sigdelset(&waiting, SIGINT);
    sigdelset(&waiting, SIGHUP);

    int fd_a = open_tap(side_a);
    int fd_b = open_tap(side_b);
    struct direction dirs[2] = {
        {.name = "a->b", .in_fd = fd_a, .out_fd = fd_b},
        {.name = "b->a", .in_fd = fd_b, .out_fd = fd_a},
    };
    for (int i = 0; i < 2; i++) {
        dirs[i].ring = calloc(limit, sizeof(struct frame));
        if (!dirs[i].ring) die("calloc", "ring");
    }
    printf("ready\n");
    fflush(stdout);

    struct pollfd fds[2] = {{.fd = fd_a, .events = POLLIN}, {.fd = fd_b, .events = POLLIN}};
    while (!stop) {
        if (reload) {
            reload = 0;
            reload_parameters();
        }
        uint64_t now = now_ns();
        uint64_t margin = compensate ? lateness_ns : 0;
        uint64_t next = UINT64_MAX;
        for (int i = 0; i < 2; i++) {
            uint64_t due = release(&dirs[i], now + margin);
            if (due < next) next = due;
        }
        struct timespec timeout, *tp = NULL;
        uint64_t aim = 0;
        if (next != UINT64_MAX) {
            aim = next - margin; /* > now: every frame due by now + margin was sent */
            uint64_t wait = aim - now;
            timeout.tv_sec = (time_t)(wait / 1000000000ull);
            timeout.tv_nsec = (long)(wait % 1000000000ull);
            tp = &timeout;
        }
        uint64_t asleep = now_ns();
        int ready = ppoll(fds, 2, tp, &waiting);
        if (ready < 0) {
            if (errno == EINTR) continue;
            die("ppoll", NULL);
        }
        now = now_ns();
        if (ready == 0 && tp) note_lateness(now > aim ? now - aim : 0); /* the timer, not a frame, woke it */
        /* A frame that woke the relay was there a wake-up's latency before the relay could read
         * it: date it back by the timed wake-ups' mean lateness (the same path: a sleeping task
         * woken, on this machine), but never before the relay went to sleep. */
        uint64_t arrived = now;
        if (compensate && ready > 0) arrived = now - lateness_ns > asleep ? now - lateness_ns : asleep;
        for (int i = 0; i < 2; i++) {
            if (fds[i].revents & (POLLERR | POLLNVAL)) { errno = EIO; die("poll", dirs[i].name); }
            if (fds[i].revents & POLLIN) receive(&dirs[i], arrived);
        }
    }
    report(&dirs[0]);
    report(&dirs[1]);
    fprintf(stderr, "linkrelay: timer lateness %llu us (running mean of the timed wake-ups, both directions)\n",
            (unsigned long long)(lateness_ns / 1000));
    return 0;
}
