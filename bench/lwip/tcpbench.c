/*
 * tcpbench: lwIP 2.1.3 on a Linux TAP device, serving a TCP sink and sending bulk data on
 * command -- the lwIP counterpart of jnetstack's TcpTapTarget in bench/tcp-e2e.sh. Our own code
 * (lwIP's contrib unix port is not used: its tapif runs ifconfig through system()).
 *
 *   tcpbench TAP ADDR/PREFIX PORT
 *
 * Creates TAP (IFF_TAP | IFF_NO_PI, no offloads: the kernel hands over whole 1514-byte frames
 * with software checksums), gives lwIP the address ADDR/PREFIX on it, prints
 * "up TAP MAC ADDR/PREFIX", and then:
 *   sink:   accepts connections on PORT, discards what arrives, and prints
 *           "received BYTES SECONDS GBIT/S" when the peer closes (timed from accept to EOF,
 *           as bench/tcp_peer.py's sink does);
 *   source: for each stdin line "source HOST PORT BYTES [nocopy]" connects to HOST:PORT,
 *           streams BYTES with tcp_write as fast as the windows allow, closes, and prints
 *           "sent BYTES SECONDS GBIT/S" (timed from the connection's establishment until the
 *           last byte is acknowledged). "nocopy" hands tcp_write a static buffer without
 *           TCP_WRITE_FLAG_COPY (lwIP's zero-copy write: no copy into the send queue, the frame
 *           is written with writev from two pbufs).
 * EOF on stdin stops it; it then prints "lwip:" counters.
 *
 * The loop is lwIP's NO_SYS "mainloop mode", shaped like jnetstack's event loop: read frames
 * (non-blocking, a batch at a time) straight into pool pbufs and hand each to netif->input; run
 * sys_check_timeouts; wait in poll(2) on the TAP and stdin until the next lwIP timer is due.
 * One read(2) per received frame, one write(2)/writev(2) per sent frame.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "lwip/init.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "netif/etharp.h"
#include "netif/ethernet.h"

/* Frames read before the loop runs timers and looks at stdin again (jnetstack reads in
 * batches too). */
#define RX_BATCH 64
/* Largest frame we read: the Ethernet MTU 1500 plus its 14-byte header. lwIP is built with
 * TCP_MSS 1460, so nothing larger reaches it on a TAP whose MTU is 1500. */
#define FRAME_MAX 1514
/* Each received frame must fit one pool pbuf, or the read below would truncate it. */
_Static_assert(PBUF_POOL_BUFSIZE >= FRAME_MAX, "PBUF_POOL_BUFSIZE must hold a whole frame");
/* The most pbufs one outgoing frame is made of (header pbuf + data pbufs). */
#define TX_IOV_MAX 16

static int tap_fd = -1;
static struct netif tap_netif;

static struct {
    uint64_t rx_frames, rx_bytes, rx_no_pbuf, rx_dropped_by_lwip;
    uint64_t tx_frames, tx_bytes, tx_errors;
} counters;

/* ---- platform: time ----------------------------------------------------------------------- */

/* lwIP's clock for its timers (TCP fast/slow timers, ARP ageing), in milliseconds. */
u32_t sys_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (u32_t) (ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* CPU time of this (the only) thread, total and in user space (lwIP and the harness; the rest is
 * the kernel's work done in our read/write calls). On a shared machine Gbit/s per CPU-second
 * compares better between runs than Gbit/s. */
struct cpu { double total, user; };

static struct cpu cpu_now(void) {
    struct rusage usage;
    getrusage(RUSAGE_THREAD, &usage);
    double user = (double) usage.ru_utime.tv_sec + (double) usage.ru_utime.tv_usec / 1e6;
    double sys = (double) usage.ru_stime.tv_sec + (double) usage.ru_stime.tv_usec / 1e6;
    return (struct cpu) { user + sys, user };
}

/* "WHAT BYTES SECONDS GBIT/S Gbit/s cpu=... user=... (GBIT/S per CPU-second)"; the first four
 * fields as bench/tcp_peer.py prints them. */
static void report(const char *what, uint64_t bytes, double seconds, struct cpu started) {
    struct cpu now = cpu_now();
    double cpu = now.total - started.total;
    printf("%s %llu %.4f %.2f Gbit/s cpu=%.3fs user=%.3fs (%.2f Gbit/s per CPU-second)\n", what,
           (unsigned long long) bytes, seconds, seconds > 0 ? (double) bytes * 8 / seconds / 1e9 : 0.0,
           cpu, now.user - started.user, cpu > 0 ? (double) bytes * 8 / cpu / 1e9 : 0.0);
    fflush(stdout);
}

/* ---- the TAP netif ------------------------------------------------------------------------ */

static int open_tap(const char *name) {
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) { perror("open /dev/net/tun"); exit(1); }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (strlen(name) >= IFNAMSIZ) { fprintf(stderr, "tcpbench: name too long: %s\n", name); exit(1); }
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); exit(1); }
    return fd;
}

/* netif->linkoutput: one frame, one system call. A single pbuf (copying writes) is one
 * write(2); a chain (header + referenced data, no-copy writes) is gathered by writev(2), so lwIP
 * never has to copy the frame into one buffer. */
static err_t tap_linkoutput(struct netif *netif, struct pbuf *p) {
    (void) netif;
    ssize_t n;
    if (p->next == NULL) {
        n = write(tap_fd, p->payload, p->len);
    } else {
        struct iovec iov[TX_IOV_MAX];
        int count = 0;
        for (struct pbuf *q = p; q != NULL; q = q->next) {
            if (count == TX_IOV_MAX) { counters.tx_errors++; return ERR_BUF; }
            iov[count].iov_base = q->payload;
            iov[count].iov_len = q->len;
            count++;
        }
        n = writev(tap_fd, iov, count);
    }
    /* Counted, not fatal: the gratuitous ARP lwIP sends at netif_set_up fails with EIO because the
     * TAP's kernel side is not up yet (the usual tx_errors=1). */
    if (n != (ssize_t) p->tot_len) { counters.tx_errors++; return ERR_IF; }
    counters.tx_frames++;
    counters.tx_bytes += p->tot_len;
    return ERR_OK;
}

static err_t tap_netif_init(struct netif *netif) {
    netif->name[0] = 't';
    netif->name[1] = 'p';
    netif->mtu = 1500;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    /* A random, locally administered unicast MAC (first octet 0x02). */
    netif->hwaddr[0] = 0x02;
    for (int i = 1; i < ETH_HWADDR_LEN; i++) netif->hwaddr[i] = (u8_t) random();
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif->output = etharp_output;
    netif->linkoutput = tap_linkoutput;
    return ERR_OK;
}

/* Reads up to RX_BATCH frames, each straight into a pool pbuf (no copy), and hands them to
 * lwIP. Returns the number of frames read. */
static int receive_batch(void) {
    static struct pbuf *spare;   /* allocated but not filled: kept for the next read */
    static unsigned char drop[FRAME_MAX];
    int frames = 0;
    while (frames < RX_BATCH) {
        if (spare == NULL) spare = pbuf_alloc(PBUF_RAW, FRAME_MAX, PBUF_POOL);
        ssize_t n;
        if (spare == NULL) {
            /* Pool exhausted: take the frame off the TAP anyway and drop it, as a NIC out of
             * receive buffers would, and count it. */
            n = read(tap_fd, drop, sizeof drop);
            if (n > 0) counters.rx_no_pbuf++;
        } else {
            n = read(tap_fd, spare->payload, spare->len);
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            perror("read tap"); exit(1);
        }
        if (n == 0) break;
        frames++;
        counters.rx_frames++;
        counters.rx_bytes += (uint64_t) n;
        if (spare == NULL) continue;
        struct pbuf *p = spare;
        spare = NULL;
        pbuf_realloc(p, (u16_t) n);
        if (tap_netif.input(p, &tap_netif) != ERR_OK) {
            counters.rx_dropped_by_lwip++;
            pbuf_free(p);
        }
    }
    return frames;
}

/* ---- sink: accept, discard, report at EOF --------------------------------------------------- */

struct sink_conn {
    uint64_t bytes;
    double started;
    struct cpu cpu_started;
};

static err_t sink_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    struct sink_conn *conn = arg;
    (void) err;
    if (p == NULL) {   /* the peer's FIN: all data has arrived */
        report("received", conn->bytes, seconds_now() - conn->started, conn->cpu_started);
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        tcp_err(pcb, NULL);
        free(conn);
        if (tcp_close(pcb) != ERR_OK) { tcp_abort(pcb); return ERR_ABRT; }
        return ERR_OK;
    }
    conn->bytes += p->tot_len;
    /* The application has taken the data: reopen the window (lwIP's backpressure contract). */
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void sink_err(void *arg, err_t err) {
    fprintf(stderr, "tcpbench: sink connection failed: %d\n", err);
    free(arg);
}

static err_t sink_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
    (void) arg;
    if (err != ERR_OK || pcb == NULL) return ERR_VAL;
    struct sink_conn *conn = calloc(1, sizeof *conn);
    if (conn == NULL) { tcp_abort(pcb); return ERR_ABRT; }
    conn->started = seconds_now();
    conn->cpu_started = cpu_now();
    tcp_arg(pcb, conn);
    tcp_recv(pcb, sink_recv);
    tcp_err(pcb, sink_err);
    return ERR_OK;
}

static void start_sink(u16_t port) {
    struct tcp_pcb *pcb = tcp_new();
    if (pcb == NULL || tcp_bind(pcb, IP_ANY_TYPE, port) != ERR_OK) {
        fprintf(stderr, "tcpbench: cannot bind port %u\n", port); exit(1);
    }
    struct tcp_pcb *listener = tcp_listen(pcb);
    if (listener == NULL) { fprintf(stderr, "tcpbench: cannot listen\n"); exit(1); }
    tcp_accept(listener, sink_accept);
}

/* ---- source: connect, stream, close --------------------------------------------------------- */

/* What we send: a 64 KiB static block (tcp_write takes at most 65,535 bytes per call). It stays
 * valid for ever, which is what no-copy writes require. */
static unsigned char pattern[65535];

struct source_conn {
    uint64_t total, written, acked;
    double started;
    struct cpu cpu_started;
    u8_t write_flags;
};

static void fill(struct tcp_pcb *pcb, struct source_conn *conn) {
    while (conn->written < conn->total) {
        u32_t room = tcp_sndbuf(pcb);
        if (room == 0) break;
        uint64_t left = conn->total - conn->written;
        u16_t len = (u16_t) LWIP_MIN(LWIP_MIN((uint64_t) room, left), sizeof pattern);
        u8_t flags = conn->write_flags;
        if (left > len) flags |= TCP_WRITE_FLAG_MORE;   /* no PSH until the last segment */
        err_t err = tcp_write(pcb, pattern, len, flags);
        if (err == ERR_MEM) break;   /* send queue full (TCP_SND_QUEUELEN): wait for ACKs */
        if (err != ERR_OK) { fprintf(stderr, "tcpbench: tcp_write: %d\n", err); exit(1); }
        conn->written += len;
    }
    tcp_output(pcb);
}

static err_t source_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
    struct source_conn *conn = arg;
    conn->acked += len;
    if (conn->acked < conn->total) {
        fill(pcb, conn);
        return ERR_OK;
    }
    report("sent", conn->total, seconds_now() - conn->started, conn->cpu_started);
    tcp_arg(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    free(conn);
    if (tcp_close(pcb) != ERR_OK) { tcp_abort(pcb); return ERR_ABRT; }
    return ERR_OK;
}

static err_t source_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    (void) arg; (void) err;
    if (p != NULL) {   /* the kernel's sink sends nothing; discard whatever comes */
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    }
    return ERR_OK;
}

static void source_err(void *arg, err_t err) {
    fprintf(stderr, "tcpbench: source connection failed: %d\n", err);
    printf("sent-failed %d\n", err);
    fflush(stdout);
    free(arg);
}

static err_t source_connected(void *arg, struct tcp_pcb *pcb, err_t err) {
    struct source_conn *conn = arg;
    if (err != ERR_OK) return err;
    conn->started = seconds_now();
    conn->cpu_started = cpu_now();
    fill(pcb, conn);
    return ERR_OK;
}

static void start_source(const char *host, u16_t port, uint64_t bytes, int copy) {
    ip_addr_t addr;
    if (!ipaddr_aton(host, &addr)) { fprintf(stderr, "tcpbench: bad address %s\n", host); return; }
    struct source_conn *conn = calloc(1, sizeof *conn);
    struct tcp_pcb *pcb = tcp_new();
    if (conn == NULL || pcb == NULL) { fprintf(stderr, "tcpbench: out of memory\n"); exit(1); }
    conn->total = bytes;
    conn->write_flags = copy ? TCP_WRITE_FLAG_COPY : 0;
    tcp_arg(pcb, conn);
    tcp_sent(pcb, source_sent);
    tcp_recv(pcb, source_recv);
    tcp_err(pcb, source_err);
    if (tcp_connect(pcb, &addr, port, source_connected) != ERR_OK) {
        fprintf(stderr, "tcpbench: tcp_connect failed\n"); exit(1);
    }
}

/* ---- commands on stdin ---------------------------------------------------------------------- */

static void command(char *line) {
    char host[64], mode[16] = "";
    unsigned port;
    unsigned long long bytes;
    if (sscanf(line, "source %63s %u %llu %15s", host, &port, &bytes, mode) >= 3 && port <= 0xFFFF) {
        start_source(host, (u16_t) port, bytes, strcmp(mode, "nocopy") != 0);
    } else if (line[0] != '\0') {
        fprintf(stderr, "tcpbench: unknown command: %s\n", line);
    }
}

/* Reads what stdin has; runs each complete line. Returns 0 at EOF. */
static int read_commands(void) {
    static char buf[512];
    static size_t used;
    ssize_t n = read(STDIN_FILENO, buf + used, sizeof buf - 1 - used);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    if (n == 0) return 0;
    used += (size_t) n;
    buf[used] = '\0';
    char *start = buf, *nl;
    while ((nl = strchr(start, '\n')) != NULL) {
        *nl = '\0';
        command(start);
        start = nl + 1;
    }
    used -= (size_t) (start - buf);
    memmove(buf, start, used);
    if (used == sizeof buf - 1) used = 0;   /* an over-long line: forget it */
    return 1;
}

/* ---- main loop ---------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: tcpbench TAP ADDR/PREFIX PORT\n"); return 2; }
    char addr_text[64];
    snprintf(addr_text, sizeof addr_text, "%s", argv[2]);
    char *slash = strchr(addr_text, '/');
    int prefix = slash ? atoi(slash + 1) : 24;
    if (slash) *slash = '\0';
    if (prefix < 0 || prefix > 32) { fprintf(stderr, "tcpbench: bad prefix\n"); return 2; }
    int port = atoi(argv[3]);
    if (port <= 0 || port > 0xFFFF) { fprintf(stderr, "tcpbench: bad port\n"); return 2; }

    srandom((unsigned) (getpid() ^ time(NULL)));
    for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (unsigned char) i;
    tap_fd = open_tap(argv[1]);
    fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);

    lwip_init();
    ip4_addr_t ip, mask, gw;
    if (!ip4addr_aton(addr_text, &ip)) { fprintf(stderr, "tcpbench: bad address\n"); return 2; }
    ip4_addr_set_u32(&mask, prefix == 0 ? 0 : lwip_htonl(0xFFFFFFFFu << (32 - prefix)));
    ip4_addr_set_zero(&gw);
    netif_add(&tap_netif, &ip, &mask, &gw, NULL, tap_netif_init, ethernet_input);
    netif_set_default(&tap_netif);
    netif_set_up(&tap_netif);
    netif_set_link_up(&tap_netif);
    start_sink((u16_t) port);

    const u8_t *mac = tap_netif.hwaddr;
    printf("up %s %02x:%02x:%02x:%02x:%02x:%02x %s/%d\n", argv[1],
           mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], addr_text, prefix);
    fflush(stdout);

    struct pollfd fds[2] = { { .fd = tap_fd, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
    uint64_t polls = 0;
    for (;;) {
        int frames = receive_batch();
        sys_check_timeouts();
        if (frames > 0) continue;
        u32_t sleep_ms = sys_timeouts_sleeptime();
        polls++;
        int ready = poll(fds, 2, sleep_ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? -1 : (int) sleep_ms);
        if (ready < 0 && errno != EINTR) { perror("poll"); return 1; }
        if (ready > 0 && (fds[1].revents & (POLLIN | POLLHUP)) && !read_commands()) break;
    }
    printf("lwip: rx_frames=%llu rx_bytes=%llu rx_no_pbuf=%llu rx_dropped=%llu "
           "tx_frames=%llu tx_bytes=%llu tx_errors=%llu polls=%llu\n",
           (unsigned long long) counters.rx_frames, (unsigned long long) counters.rx_bytes,
           (unsigned long long) counters.rx_no_pbuf, (unsigned long long) counters.rx_dropped_by_lwip,
           (unsigned long long) counters.tx_frames, (unsigned long long) counters.tx_bytes,
           (unsigned long long) counters.tx_errors, (unsigned long long) polls);
    return 0;
}
