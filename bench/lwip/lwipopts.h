/*
 * lwIP 2.1.3 configuration for bench/lwip/tcpbench.c: one bulk TCP connection over a TAP, tuned
 * for throughput with 64-256 KiB windows, so that it compares with jnetstack's default buffers.
 * Everything not set here keeps lwIP's default from src/include/lwip/opt.h; each setting below
 * differs from that default, and says why. Checksums are generated and checked in software
 * (lwIP's default CHECKSUM_GEN_* / CHECKSUM_CHECK_* = 1), exactly as jnetstack does on a TAP
 * without offloads.
 */
#ifndef JNS_BENCH_LWIPOPTS_H
#define JNS_BENCH_LWIPOPTS_H

/* --- platform ------------------------------------------------------------------------------ */
/* One thread, no OS layer: the harness's loop calls netif->input and sys_check_timeouts itself
 * (lwIP's "mainloop mode", the raw API the BitVisor port used). Default 0. */
#define NO_SYS                      1
/* netconn and sockets need NO_SYS=0 (threads, mailboxes); the raw API is all we use. Default 1. */
#define LWIP_NETCONN                0
#define LWIP_SOCKET                 0
/* No lightweight protection (critical sections around pool and heap operations): one thread,
 * no interrupts, nothing to protect against. Default 1 (would need sys_arch_protect). */
#define SYS_LIGHTWEIGHT_PROT        0
/* 8-byte alignment for the heap and pools on x86-64 (default 1: unaligned u32/pointer loads in
 * pbuf payloads and pool elements). */
#define MEM_ALIGNMENT               8

/* --- memory: big enough that no allocation ever fails during a transfer -------------------- */
/* lwIP's own heap holds the PBUF_RAM segments tcp_write copies data into, TCP_SND_BUF of them
 * in flight plus headers: 4 MiB leaves room for 256 KiB and fragmentation. Default 1600. */
#define MEM_SIZE                    (4 * 1024 * 1024)
/* Receive frames are read straight into pool pbufs (one pbuf per frame: the default
 * PBUF_POOL_BUFSIZE fits TCP_MSS + headers = a 1514-byte frame). The pool must hold a whole
 * receive window of out-of-order segments plus what is being processed: 1024 x 1.5 KiB covers
 * 256 KiB six times over. Default 16. */
#define PBUF_POOL_SIZE              1024
/* One tcp_seg per queued segment: at least TCP_SND_QUEUELEN (lwIP's sanity check) plus the
 * receive side's out-of-order queue. Default 16. */
#define MEMP_NUM_TCP_SEG            1024
/* PBUF_REF/ROM headers for no-copy tcp_write (the harness's "nocopy" mode): one per queued
 * segment. Default 16. */
#define MEMP_NUM_PBUF               1024

/* --- TCP ----------------------------------------------------------------------------------- */
/* Ethernet MTU 1500 - 40 bytes of IPv4 and TCP header. Default 536. */
#define TCP_MSS                     1460
/* RFC 7323 §2 window scaling, so the receive window can exceed 64 KiB. Default 0. */
#define LWIP_WND_SCALE              1
/* Shift 3: 256 KiB = 0x40000 does not fit 0xFFFF << 2, it fits << 3. Default 0. */
#define TCP_RCV_SCALE               3
/* 256 KiB receive window and send buffer: the top of a 64-256 KiB throughput tuning and
 * jnetstack's own default (TcpConfig: 256 KiB buffers). Defaults 4 x TCP_MSS and 2 x TCP_MSS. */
#define TCP_WND                     (256 * 1024)
#define TCP_SND_BUF                 (256 * 1024)
/* Segments (pbufs) the send queue may hold: with copying writes lwIP needs about one per
 * segment, with no-copy writes two (header + data): 4 x TCP_SND_BUF / TCP_MSS = 719 is
 * lwIP's own default formula, kept explicit here because the pools above are sized for it. */
#define TCP_SND_QUEUELEN            ((4 * (TCP_SND_BUF) + (TCP_MSS - 1)) / (TCP_MSS))
/* Writable-space threshold, used only by the netconn/socket layers' select(); the default
 * (half of TCP_SND_BUF = 128 KiB) fails lwIP's check that it stays 4 MSS below 65,535. */
#define TCP_SNDLOWAT                (32 * 1024)
/* RFC 2018 SACK blocks in our ACKs when segments arrive out of order (the kernel sender drops
 * frames when the TAP's queue overflows, and SACK lets it repair them without go-back-N).
 * Default 0. */
#define LWIP_TCP_SACK_OUT           1
/* Sum the payload while tcp_write copies it in, so tcp_output only sums the headers: lwIP's
 * cheapest software checksum on send. Default 0. */
#define LWIP_CHECKSUM_ON_COPY       1
/* lwIP's 32-bit checksum loop (algorithm 3) instead of the 16-bit one (2, the default): measured
 * here 2.4 vs 2.2 GB/s over a 1,480-byte payload at -O2. Still the portable C sum. */
#define LWIP_CHKSUM_ALGORITHM       3

/* --- not needed by the benchmark (fewer timers, less code on the input path) --------------- */
/* No DHCP, DNS, IGMP, raw sockets: addresses are static. UDP stays on (lwIP's default). */
#define LWIP_RAW                    0
/* No statistics counters on the hot path (jnetstack counts, but lwIP's STATS are a debug aid
 * that a build tuned for throughput leaves out). Default 1. */
#define LWIP_STATS                  0

#endif /* JNS_BENCH_LWIPOPTS_H */
