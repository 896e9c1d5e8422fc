/* lwIP's platform header (lwip/arch.h includes "arch/cc.h") for bench/lwip/tcpbench.c on
 * Linux/x86-64 with glibc: stdint types (lwIP's default), glibc's errno, assertions that abort,
 * and byte swaps by compiler builtins instead of lwIP's portable C functions. */
#ifndef JNS_BENCH_ARCH_CC_H
#define JNS_BENCH_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_TIMEVAL_PRIVATE 0

#define LWIP_PLATFORM_DIAG(x)   do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) do { fprintf(stderr, "lwIP assertion \"%s\" failed at %s:%d\n", \
                                     x, __FILE__, __LINE__); fflush(NULL); abort(); } while (0)

/* lwIP picks initial sequence numbers and ephemeral ports with LWIP_RAND when defined. */
#define LWIP_RAND() ((u32_t) random())

/* Little-endian host: lwip_htons/htonl become one bswap instruction. */
#define lwip_htons(x) ((u16_t) __builtin_bswap16((u16_t) (x)))
#define lwip_htonl(x) ((u32_t) __builtin_bswap32((u32_t) (x)))

#endif
