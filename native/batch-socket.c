#include "batch-socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

/* Consecutive EINTRs tolerated in one call before giving up for this wake-up. */
#define MAX_EINTR 8

size_t batch_arena_size(int slots, size_t tx_stride) {
  size_t n = (size_t)slots;
  return n * BATCH_RX_STRIDE + n * tx_stride + n * BATCH_ADDR_BYTES + n * BATCH_META_FIELDS * sizeof(int32_t);
}

int batch_open(const char *host, int port, int reuse_port, int rcvbuf, const char **stage) {
  struct sockaddr_storage ss;
  socklen_t sslen;
  memset(&ss, 0, sizeof ss);
  struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
  int family;
  *stage = "inet_pton";
  if (port < 0 || port > 65535) return -EINVAL;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    family = AF_INET;
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    sslen = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    sslen = sizeof *v6;
  } else {
    return -EINVAL;
  }
  *stage = "socket";
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  *stage = "setsockopt(SO_REUSEPORT)";
  if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) goto fail;
  /* v6-only, so "[::]:53" and "0.0.0.0:53" can be separate listeners, as with node:dgram */
  *stage = "setsockopt(IPV6_V6ONLY)";
  if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) goto fail;
  *stage = "setsockopt(SO_RCVBUF)";
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) goto fail;
  *stage = "bind";
  if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) goto fail;
  return fd;
fail:;
  int err = errno;
  close(fd);
  return -err;
}

int batch_local_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -errno;
  if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return -EAFNOSUPPORT;
}

void batch_init(batch_socket *s, int fd, int slots, size_t tx_stride, uint8_t *arena) {
  memset(s, 0, sizeof *s);
  s->fd = fd;
  s->slots = slots;
  s->tx_stride = tx_stride;
  s->rx = arena;
  s->tx = s->rx + (size_t)slots * BATCH_RX_STRIDE;
  s->addr = s->tx + (size_t)slots * tx_stride;
  /* 4-byte aligned: every area before it is a multiple of 16 bytes long */
  s->meta = (int32_t *)(void *)(s->addr + (size_t)slots * BATCH_ADDR_BYTES);
  for (int i = 0; i < slots; i++) {
    s->riov[i].iov_base = s->rx + (size_t)i * BATCH_RX_STRIDE;
    s->riov[i].iov_len = BATCH_RX_STRIDE;
    s->rmsgs[i].msg_hdr.msg_iov = &s->riov[i];
    s->rmsgs[i].msg_hdr.msg_iovlen = 1;
    s->rmsgs[i].msg_hdr.msg_name = &s->names[i];
  }
}

/* Copies slot i's source address into the addr area; returns the family (4, 6) or 0 to skip. */
static int copy_source(batch_socket *s, int i) {
  const struct msghdr *h = &s->rmsgs[i].msg_hdr;
  uint8_t *out = s->addr + (size_t)i * BATCH_ADDR_BYTES;
  int32_t *meta = s->meta + (size_t)i * BATCH_META_FIELDS;
  s->namelens[i] = h->msg_namelen;
  /* the kernel reports the address's real length, which must fit the buffer to be sent back to */
  if (h->msg_namelen > sizeof(struct sockaddr_storage)) return 0;
  if (s->names[i].ss_family == AF_INET && h->msg_namelen >= sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)&s->names[i];
    memcpy(out, &a->sin_addr, 4);
    memset(out + 4, 0, BATCH_ADDR_BYTES - 4);
    meta[META_PORT] = ntohs(a->sin_port);
    return 4;
  }
  if (s->names[i].ss_family == AF_INET6 && h->msg_namelen >= sizeof(struct sockaddr_in6)) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&s->names[i];
    memcpy(out, &a->sin6_addr, 16);
    meta[META_PORT] = ntohs(a->sin6_port);
    return 6;
  }
  return 0;
}

int batch_receive(batch_socket *s) {
  for (int i = 0; i < s->slots; i++) {
    s->rmsgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    s->rmsgs[i].msg_hdr.msg_flags = 0;
    s->rmsgs[i].msg_len = 0;
  }
  int n;
  int eintr = 0;
  do {
    n = recvmmsg(s->fd, s->rmsgs, (unsigned)s->slots, MSG_DONTWAIT, NULL);
  } while (n < 0 && errno == EINTR && ++eintr < MAX_EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    s->stats.recv_errors++;
    return -errno;
  }
  if (n > s->slots) n = s->slots; /* never more than asked; a defence, not a case */
  for (int i = 0; i < n; i++) {
    int32_t *meta = s->meta + (size_t)i * BATCH_META_FIELDS;
    int family = copy_source(s, i);
    unsigned len = s->rmsgs[i].msg_len;
    meta[META_TX_LEN] = -1;
    meta[META_FAMILY] = family;
    if (family == 0 || (s->rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC) || len > BATCH_RX_STRIDE) {
      meta[META_RX_LEN] = -1;
      s->stats.skipped++;
    } else {
      meta[META_RX_LEN] = (int32_t)len;
      s->stats.received++;
    }
  }
  if (n > 0) s->stats.batches++;
  return n;
}

int batch_flush(batch_socket *s) {
  int eintr = 0;
  while (s->pending_next < s->pending_count) {
    int left = s->pending_count - s->pending_next;
    int n = sendmmsg(s->fd, &s->smsgs[s->pending_next], (unsigned)left, 0);
    if (n > 0) {
      if (n > left) n = left;
      s->pending_next += n;
      s->stats.sent += n;
      eintr = 0;
      continue;
    }
    if (n < 0 && errno == EINTR && ++eintr < MAX_EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      s->stats.send_waits++;
      return 1;
    }
    if (n < 0 && (errno == EBADF || errno == ENOTSOCK || errno == EFAULT)) {
      /* the socket itself is unusable: drop the rest rather than retry forever */
      s->stats.send_dropped += left;
      s->pending_next = s->pending_count;
      break;
    }
    /* An error for the first datagram only (ECONNREFUSED after an ICMP port unreachable,
     * EHOSTUNREACH, EPERM from a firewall, ENOBUFS, EINTR repeated...): drop it, send the rest
     * (sendmmsg(2): retry from the first failed message). */
    s->stats.send_dropped++;
    s->pending_next++;
    eintr = 0;
  }
  s->pending_next = s->pending_count = 0;
  return 0;
}

int batch_send(batch_socket *s, int count) {
  int k = 0;
  if (count > s->slots) count = s->slots;
  for (int i = 0; i < count; i++) {
    const int32_t *meta = s->meta + (size_t)i * BATCH_META_FIELDS;
    int32_t len = meta[META_TX_LEN];
    if (len <= 0 || meta[META_RX_LEN] < 0) continue; /* no reply, or a slot JS was not given */
    if ((size_t)len > s->tx_stride) {
      s->stats.send_dropped++;
      continue;
    }
    s->siov[k].iov_base = s->tx + (size_t)i * s->tx_stride;
    s->siov[k].iov_len = (size_t)len;
    struct msghdr *h = &s->smsgs[k].msg_hdr;
    memset(h, 0, sizeof *h);
    h->msg_name = &s->names[i];
    h->msg_namelen = s->namelens[i];
    h->msg_iov = &s->siov[k];
    h->msg_iovlen = 1;
    k++;
  }
  s->pending_next = 0;
  s->pending_count = k;
  return batch_flush(s);
}
