/*
 * tap-relay: the bare per-frame TAP path, as a yardstick for the stack's TAP throughput.
 *
 * Opens two TAP devices (IFF_TAP | IFF_NO_PI, no IFF_VNET_HDR: the kernel hands over one
 * checksummed, MTU-sized Ethernet frame per read and takes one per write, exactly what
 * jnetstack's TapDevice does without offloads) and copies every frame from one to the other,
 * both ways: one read(2) -> one write(2) per frame, single-threaded, non-blocking descriptors,
 * and poll(2) only when both devices are empty -- the shape of jnetstack's event loop, minus
 * any protocol work. Whatever this carries between two kernel namespaces is the ceiling a
 * user-space stack on a per-frame TAP can reach on this machine.
 *
 *   tap-relay TAP_A TAP_B
 *
 * Prints "up TAP_A TAP_B" once both devices exist (so a script can configure them), relays
 * until SIGINT/SIGTERM or stdin closes, then prints its counters. Our own code; built by
 * bench/relay/build.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* Frames taken from one side before looking at the other, so that a flood one way cannot
 * starve the ACKs coming back the other way (our loop reads in batches too). */
#define BATCH 64
/* Largest frame a TAP without offloads hands over: 64 KiB covers any MTU a TAP accepts. */
#define FRAME_MAX 65536

struct side {
    const char *name;
    int fd;
    uint64_t frames_in, bytes_in;   /* read from this TAP */
    uint64_t write_errors;          /* frames read elsewhere that this TAP refused */
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig) { (void) sig; stopping = 1; }

static int open_tap(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) { perror("open /dev/net/tun"); exit(1); }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (strlen(name) >= IFNAMSIZ) { fprintf(stderr, "tap-relay: name too long: %s\n", name); exit(1); }
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); exit(1); }
    return fd;
}

/* Moves up to BATCH frames from `from` to `to`; returns how many were moved, 0 when `from` is empty. */
static int relay(struct side *from, struct side *to, unsigned char *frame) {
    int moved = 0;
    while (moved < BATCH) {
        ssize_t n = read(from->fd, frame, FRAME_MAX);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            perror("read"); exit(1);
        }
        if (n == 0) break;
        from->frames_in++;
        from->bytes_in += (uint64_t) n;
        /* A TAP write never blocks: the kernel takes the frame into its receive path or drops
         * it (counted, as a NIC would count an overrun). */
        if (write(to->fd, frame, (size_t) n) != n) to->write_errors++;
        moved++;
    }
    return moved;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: tap-relay TAP_A TAP_B\n"); return 2; }
    struct side a = { .name = argv[1], .fd = open_tap(argv[1]) };
    struct side b = { .name = argv[2], .fd = open_tap(argv[2]) };
    static unsigned char frame[FRAME_MAX];

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;   /* no SA_RESTART: poll returns EINTR and we stop */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    printf("up %s %s\n", a.name, b.name);
    fflush(stdout);

    uint64_t polls = 0;
    struct pollfd fds[3] = {
        { .fd = a.fd, .events = POLLIN },
        { .fd = b.fd, .events = POLLIN },
        { .fd = STDIN_FILENO, .events = POLLIN },   /* EOF on stdin stops the relay */
    };
    while (!stopping) {
        int moved = relay(&a, &b, frame);
        moved += relay(&b, &a, frame);
        if (moved > 0) continue;
        polls++;
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            perror("poll"); return 1;
        }
        if (fds[2].revents & (POLLIN | POLLHUP)) {
            char c;
            if (read(STDIN_FILENO, &c, 1) <= 0) break;
        }
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("relay: %s->%s frames=%llu bytes=%llu  %s->%s frames=%llu bytes=%llu  "
           "write_errors=%llu/%llu polls=%llu cpu=%.2fs user=%.2fs\n",
           a.name, b.name, (unsigned long long) a.frames_in, (unsigned long long) a.bytes_in,
           b.name, a.name, (unsigned long long) b.frames_in, (unsigned long long) b.bytes_in,
           (unsigned long long) b.write_errors, (unsigned long long) a.write_errors,
           (unsigned long long) polls,
           (double) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
               + (double) (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6,
           (double) usage.ru_utime.tv_sec + (double) usage.ru_utime.tv_usec / 1e6);
    return 0;
}
