/*
 * geosteer_udp: the Node-API face of batch-socket.c. A socket is polled by libuv (uv_poll on
 * its fd, in Node's own loop); on each wake-up it receives up to MAX_BATCHES_PER_WAKE batches,
 * calls the JS batch handler once per batch with the datagram count (packets, lengths and
 * addresses are already in the shared ArrayBuffer) and sends the replies JS wrote with one
 * sendmmsg. JS side: src/dns/native-udp-binding.ts.
 *   open(host, port, reusePort, rcvbuf, slots, txStride, onBatch) -> { handle, arena, port, txStride }
 *   start(handle), close(handle), stats(handle) -> { received, skipped, sent, ... }
 */
#define NAPI_VERSION 8
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "batch-socket.h"

/* Batches per wake-up before yielding to the loop (timers, TCP, admin): at most 256 queries. */
#define MAX_BATCHES_PER_WAKE 4
/* Room for any textual IP address (INET6_ADDRSTRLEN is 46) and a little more. */
#define MAX_HOST 64
/* Reply bytes per slot: at least a classic 512-octet message, at most a whole datagram. */
#define MIN_TX_STRIDE 512
#define MAX_TX_STRIDE 65536

typedef struct {
  batch_socket io;
  napi_env env;
  uv_poll_t poll;
  napi_ref callback;
  napi_ref arena;
  napi_ref resource;
  napi_async_context async;
  int events;        /* what the poll waits for now: UV_READABLE, or UV_WRITABLE while replies wait */
  int closed;        /* the fd is closed and the poll handle is closing */
  int env_teardown;  /* closed by the env cleanup hook: no more Node-API calls */
  int handle_gone;   /* the JS external was finalized */
  int uv_closed;     /* the poll handle's close callback ran */
} udp_socket;

static void maybe_free(udp_socket *s) {
  if (s->handle_gone && s->uv_closed) free(s);
}

static napi_value throw_napi(napi_env env, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ENAPI", what);
  return NULL;
}

#define CHECK(call)                                                 \
  do {                                                              \
    if ((call) != napi_ok) return throw_napi(env, "geosteer_udp: " #call); \
  } while (0)

/* Throws an Error like node's system errors: code "EADDRINUSE", syscall, errno. */
static napi_value throw_errno(napi_env env, int err, const char *stage) {
  char msg[200];
  const char *code = uv_err_name(uv_translate_sys_error(err));
  snprintf(msg, sizeof msg, "%s %s: %s", stage, code, strerror(err));
  napi_value code_v, msg_v, error, syscall, errno_v;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_v) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &msg_v) != napi_ok ||
      napi_create_error(env, code_v, msg_v, &error) != napi_ok ||
      napi_create_string_utf8(env, stage, NAPI_AUTO_LENGTH, &syscall) != napi_ok ||
      napi_create_int32(env, -err, &errno_v) != napi_ok)
    return throw_napi(env, msg);
  napi_set_named_property(env, error, "syscall", syscall);
  napi_set_named_property(env, error, "errno", errno_v);
  napi_throw(env, error);
  return NULL;
}

static void on_uv_close(uv_handle_t *handle) {
  udp_socket *s = handle->data;
  if (!s->env_teardown) {
    napi_env env = s->env;
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) == napi_ok) {
      napi_delete_reference(env, s->callback);
      napi_delete_reference(env, s->arena);
      napi_delete_reference(env, s->resource);
      napi_async_destroy(env, s->async);
      napi_close_handle_scope(env, scope);
    }
  }
  s->uv_closed = 1;
  maybe_free(s);
}

/* Stops polling and closes the fd now (the port is free at once); memory goes in on_uv_close. */
static void close_socket(udp_socket *s) {
  if (s->closed) return;
  s->closed = 1;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_uv_close);
  close(s->io.fd); /* safe right after uv_close (uv_poll_t docs) */
  s->io.fd = -1;
}

static void on_env_cleanup(void *arg) {
  udp_socket *s = arg;
  s->env_teardown = 1;
  close_socket(s);
}

static void on_handle_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  udp_socket *s = data;
  if (!s->closed) {
    napi_remove_env_cleanup_hook(env, on_env_cleanup, s);
    close_socket(s);
  }
  s->handle_gone = 1;
  maybe_free(s);
}

static void set_events(udp_socket *s, int events);

/* Calls onBatch(count) inside the open callback scope; an exception goes to 'uncaughtException'. */
static void call_batch(udp_socket *s, int count) {
  napi_env env = s->env;
  napi_value fn, argv[1], undefined, result;
  if (napi_get_reference_value(env, s->callback, &fn) != napi_ok || fn == NULL) return;
  napi_get_undefined(env, &undefined);
  napi_create_int32(env, count, &argv[0]);
  if (napi_call_function(env, undefined, fn, 1, argv, &result) == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
}

/* Receives, hands to JS and replies, batch by batch, until the socket is drained or the budget is spent. */
static void serve_batches(udp_socket *s) {
  napi_env env = s->env;
  napi_handle_scope scope;
  napi_callback_scope cscope;
  napi_value resource;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, s->resource, &resource) != napi_ok ||
      napi_open_callback_scope(env, resource, s->async, &cscope) != napi_ok) {
    napi_close_handle_scope(env, scope);
    return;
  }
  for (int b = 0; b < MAX_BATCHES_PER_WAKE; b++) {
    int n = batch_receive(&s->io);
    if (n <= 0) break; /* drained (0) or an error (ICMP-driven among them): wait for the next wake */
    call_batch(s, n);
    if (s->closed) break; /* JS closed the socket from its handler */
    if (batch_send(&s->io, n) == 1) {
      set_events(s, UV_WRITABLE);
      break;
    }
    if (n < s->io.slots) break;
  }
  napi_close_callback_scope(env, cscope);
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  udp_socket *s = handle->data;
  if (s->closed) return;
  if (status < 0) {
    /* libuv stopped the watcher (POLLERR): clear the socket error and poll again */
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s->io.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    s->io.stats.recv_errors++;
    int want = s->events;
    s->events = 0;
    set_events(s, want);
    return;
  }
  if (s->events == UV_WRITABLE) {
    if (!(events & UV_WRITABLE) || batch_flush(&s->io) == 1) return;
    set_events(s, UV_READABLE);
  }
  if (events & (UV_READABLE | UV_WRITABLE)) serve_batches(s);
}

static void set_events(udp_socket *s, int events) {
  if (s->closed || s->events == events) return;
  if (uv_poll_start(&s->poll, events, on_poll) == 0) s->events = events;
}

/* The socket handle passed as the first argument, or NULL with a TypeError thrown. */
static udp_socket *socket_arg(napi_env env, napi_callback_info info, const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "EINVAL", usage);
    return NULL;
  }
  return data;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7) {
    napi_throw_type_error(env, "EINVAL", "geosteer_udp.open(host, port, reusePort, rcvbuf, slots, txStride, onBatch)");
    return NULL;
  }
  char host[MAX_HOST];
  size_t host_len = 0;
  int32_t port, rcvbuf, slots, tx_stride;
  bool reuse_port;
  napi_valuetype cb_type;
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_len) != napi_ok || host_len >= sizeof host - 1 ||
      napi_get_value_int32(env, argv[1], &port) != napi_ok || napi_get_value_bool(env, argv[2], &reuse_port) != napi_ok ||
      napi_get_value_int32(env, argv[3], &rcvbuf) != napi_ok || napi_get_value_int32(env, argv[4], &slots) != napi_ok ||
      napi_get_value_int32(env, argv[5], &tx_stride) != napi_ok || napi_typeof(env, argv[6], &cb_type) != napi_ok ||
      cb_type != napi_function) {
    napi_throw_type_error(env, "EINVAL", "geosteer_udp.open: bad argument types");
    return NULL;
  }
  if (slots < 1 || slots > BATCH_MAX_SLOTS || tx_stride < MIN_TX_STRIDE || tx_stride > MAX_TX_STRIDE || port < 0 || port > 65535) {
    napi_throw_range_error(env, "ERANGE", "geosteer_udp.open: slots 1..64, txStride 512..65536, port 0..65535");
    return NULL;
  }
  size_t stride = ((size_t)tx_stride + 15) & ~(size_t)15; /* keeps the meta area 4-byte aligned */

  const char *stage = "open";
  int fd = batch_open(host, port, reuse_port, rcvbuf, &stage);
  if (fd < 0) return throw_errno(env, -fd, stage);
  int bound = batch_local_port(fd);
  if (bound < 0) {
    close(fd);
    return throw_errno(env, -bound, "getsockname");
  }

  udp_socket *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(fd);
    return throw_errno(env, ENOMEM, "calloc");
  }
  napi_value arena, resource, name, handle, result, v;
  void *data = NULL;
  uv_loop_t *loop = NULL;
  int ok = napi_create_arraybuffer(env, batch_arena_size(slots, stride), &data, &arena) == napi_ok &&
           napi_create_object(env, &resource) == napi_ok &&
           napi_create_string_utf8(env, "geosteer:udp-batch", NAPI_AUTO_LENGTH, &name) == napi_ok &&
           napi_async_init(env, resource, name, &s->async) == napi_ok &&
           napi_get_uv_event_loop(env, &loop) == napi_ok && uv_poll_init_socket(loop, &s->poll, fd) == 0;
  if (!ok) {
    if (s->async != NULL) napi_async_destroy(env, s->async);
    free(s);
    close(fd);
    return throw_napi(env, "geosteer_udp.open: cannot set up the socket");
  }
  s->env = env;
  s->poll.data = s;
  batch_init(&s->io, fd, slots, stride, data);
  /* from here on the uv handle exists: every failure path closes it (close_socket) */
  if (napi_create_reference(env, argv[6], 1, &s->callback) != napi_ok ||
      napi_create_reference(env, arena, 1, &s->arena) != napi_ok ||
      napi_create_reference(env, resource, 1, &s->resource) != napi_ok ||
      napi_create_external(env, s, on_handle_finalize, NULL, &handle) != napi_ok) {
    s->handle_gone = 1;
    close_socket(s);
    return throw_napi(env, "geosteer_udp.open: cannot create the handle");
  }
  napi_add_env_cleanup_hook(env, on_env_cleanup, s);
  CHECK(napi_create_object(env, &result));
  CHECK(napi_set_named_property(env, result, "handle", handle));
  CHECK(napi_set_named_property(env, result, "arena", arena));
  CHECK(napi_create_int32(env, bound, &v));
  CHECK(napi_set_named_property(env, result, "port", v));
  CHECK(napi_create_int32(env, (int32_t)stride, &v));
  CHECK(napi_set_named_property(env, result, "txStride", v));
  return result;
}

static napi_value js_start(napi_env env, napi_callback_info info) {
  udp_socket *s = socket_arg(env, info, "geosteer_udp.start(handle): expected a socket handle");
  if (s == NULL) return NULL;
  if (s->closed) {
    napi_throw_error(env, "ERR_SOCKET_CLOSED", "geosteer_udp.start: the socket is closed");
    return NULL;
  }
  int want = s->io.pending_count > s->io.pending_next ? UV_WRITABLE : UV_READABLE;
  int rc = uv_poll_start(&s->poll, want, on_poll);
  if (rc != 0) return throw_errno(env, -rc, "uv_poll_start");
  s->events = want;
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  udp_socket *s = socket_arg(env, info, "geosteer_udp.close(handle): expected a socket handle");
  if (s == NULL) return NULL;
  if (!s->closed) {
    napi_remove_env_cleanup_hook(env, on_env_cleanup, s);
    close_socket(s);
  }
  return NULL;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  napi_value result, v;
  udp_socket *s = socket_arg(env, info, "geosteer_udp.stats(handle): expected a socket handle");
  if (s == NULL) return NULL;
  const batch_stats *st = &s->io.stats;
  CHECK(napi_create_object(env, &result));
#define STAT(field, key)                                \
  CHECK(napi_create_double(env, st->field, &v));         \
  CHECK(napi_set_named_property(env, result, key, v));
  STAT(received, "received")
  STAT(skipped, "skipped")
  STAT(sent, "sent")
  STAT(send_dropped, "sendDropped")
  STAT(send_waits, "sendWaits")
  STAT(recv_errors, "receiveErrors")
  STAT(batches, "batches")
#undef STAT
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value v;
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  if (napi_create_int32(env, BATCH_MAX_SLOTS, &v) == napi_ok) napi_set_named_property(env, exports, "maxSlots", v);
  if (napi_create_int32(env, BATCH_RX_STRIDE, &v) == napi_ok) napi_set_named_property(env, exports, "rxStride", v);
  if (napi_create_int32(env, BATCH_ADDR_BYTES, &v) == napi_ok) napi_set_named_property(env, exports, "addrBytes", v);
  if (napi_create_int32(env, BATCH_META_FIELDS, &v) == napi_ok) napi_set_named_property(env, exports, "metaFields", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
