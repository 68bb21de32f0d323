/*
 * Batched UDP I/O for the DNS hot path: one socket, recvmmsg into preallocated slots,
 * sendmmsg of the replies. Plain POSIX/Linux, no Node-API: addon.c wires it to libuv and JS.
 * It only moves bytes; it never looks inside a packet. Needs _GNU_SOURCE (recvmmsg, sendmmsg;
 * binding.gyp defines it).
 */
#ifndef GEOSTEER_BATCH_SOCKET_H
#define GEOSTEER_BATCH_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Largest batch: recvmmsg and sendmmsg move at most this many datagrams per call. */
#define BATCH_MAX_SLOTS 64
/* A receive slot holds any UDP datagram (65,507 bytes over IPv4, 65,527 over IPv6). */
#define BATCH_RX_STRIDE 65536
/* Address bytes per slot: 16 (IPv6); IPv4 uses the first 4. */
#define BATCH_ADDR_BYTES 16
/* Int32 fields per slot in the meta area (see META_*). */
#define BATCH_META_FIELDS 4

/* Per-slot meta fields. RX_LEN is -1 for a datagram to skip (truncated, unknown family). */
#define META_RX_LEN 0
#define META_FAMILY 1
#define META_PORT 2
/* Written by JS: the reply's length in the slot's tx area, or -1 for no reply. */
#define META_TX_LEN 3

/* Counters, all monotonic; read by JS through stats(). */
typedef struct {
  double received;      /* datagrams handed to JS */
  double skipped;       /* datagrams not handed to JS (truncated, unknown address family) */
  double sent;          /* replies accepted by the kernel */
  double send_dropped;  /* replies the kernel refused with a per-datagram error, or an invalid length */
  double send_waits;    /* times sendmmsg hit EAGAIN and the socket waited for POLLOUT */
  double recv_errors;   /* recvmmsg failures other than EAGAIN (ICMP-driven errors among them) */
  double batches;       /* recvmmsg calls that returned datagrams */
} batch_stats;

/*
 * One socket and its buffers. `arena` is owned by the caller (a JS ArrayBuffer); its layout:
 * [rx: slots * BATCH_RX_STRIDE][tx: slots * tx_stride][addr: slots * 16][meta: slots * 4 int32].
 */
typedef struct {
  int fd;
  int slots;
  size_t tx_stride;
  uint8_t *rx;
  uint8_t *tx;
  uint8_t *addr;
  int32_t *meta;
  /* Replies of the last batch: smsgs[pending_next, pending_count) still wait for POLLOUT. */
  int pending_count;
  int pending_next;
  struct mmsghdr rmsgs[BATCH_MAX_SLOTS];
  struct iovec riov[BATCH_MAX_SLOTS];
  struct sockaddr_storage names[BATCH_MAX_SLOTS];
  socklen_t namelens[BATCH_MAX_SLOTS];
  struct mmsghdr smsgs[BATCH_MAX_SLOTS];
  struct iovec siov[BATCH_MAX_SLOTS];
  batch_stats stats;
} batch_socket;

/* Bytes of arena a socket with `slots` slots and `tx_stride` reply bytes per slot needs. */
size_t batch_arena_size(int slots, size_t tx_stride);

/*
 * Opens a non-blocking UDP socket bound to `host` (an IPv4 or IPv6 literal) and `port`:
 * SO_REUSEPORT when asked, IPV6_V6ONLY on IPv6, SO_RCVBUF of `rcvbuf` bytes (the kernel caps
 * it at net.core.rmem_max). Returns the fd, or -errno; *stage names the call that failed.
 */
int batch_open(const char *host, int port, int reuse_port, int rcvbuf, const char **stage);

/* Points the socket's buffers into `arena` (batch_arena_size bytes). */
void batch_init(batch_socket *s, int fd, int slots, size_t tx_stride, uint8_t *arena);

/* The port the socket is bound to, or -errno. */
int batch_local_port(int fd);

/*
 * One recvmmsg of up to `slots` datagrams; fills the meta and addr areas. Returns the number
 * received (0 when none are waiting), or -errno for an error that is not EAGAIN.
 */
int batch_receive(batch_socket *s);

/*
 * Sends the replies JS wrote for the `count` slots of the last batch (META_TX_LEN > 0).
 * Returns 0 when all went out (or were dropped for a per-datagram error), 1 when the kernel
 * said EAGAIN: the rest stays pending until batch_flush after POLLOUT.
 */
int batch_send(batch_socket *s, int count);

/* Sends what an earlier EAGAIN left pending; same return values as batch_send. */
int batch_flush(batch_socket *s);

#endif
