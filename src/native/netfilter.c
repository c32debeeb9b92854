/*
 * netfilterBatch(batch: Uint8Array, acks: number): Promise<BatchError[]>
 *
 * Sends one nfnetlink batch (BATCH_BEGIN ... BATCH_END, built and checked
 * in TypeScript: src/proxy/nft/netlink.ts) on a NETLINK_NETFILTER socket of
 * the calling process's network namespace, and collects the kernel's
 * replies: one NLMSG_ERROR per message sent with NLM_F_ACK (`acks` of
 * them), error 0 for success. The kernel applies the batch as one
 * transaction or not at all. Runs on the libuv thread pool: a batch of
 * 100,000 set elements keeps the kernel busy for a few hundred ms.
 * Resolves with the failed messages ({ seq, errno, message }), empty when
 * the transaction committed; rejects when the socket itself fails.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "native.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#define NLMSGERR_ATTR_MSG 1
#define MAX_ERRORS 16
#define REPLY_TIMEOUT_S 30

typedef struct { uint32_t seq; int err; char msg[160]; } batch_error;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref buffer_ref;
  const uint8_t *data;
  size_t length;
  int acks;
  /* results */
  const char *failed_call; /* set when the socket failed */
  int failed_errno;
  int errors;
  batch_error error[MAX_ERRORS];
} batch_job;

static void record_error(batch_job *job, const struct nlmsghdr *nh) {
  const struct nlmsgerr *e = NLMSG_DATA(nh);
  if (job->errors >= MAX_ERRORS) { job->errors++; return; }
  batch_error *out = &job->error[job->errors++];
  out->seq = e->msg.nlmsg_seq;
  out->err = -e->error;
  out->msg[0] = 0;
  if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS)) return;
  /* With NETLINK_CAP_ACK the request is not echoed: extended-ack attributes follow the header. */
  size_t off = NLMSG_LENGTH(sizeof *e);
  while (off + 4 <= nh->nlmsg_len) {
    const struct nlattr *a = (const struct nlattr *)((const uint8_t *)nh + off);
    if (a->nla_len < 4 || off + a->nla_len > nh->nlmsg_len) break;
    if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
      size_t n = a->nla_len - 4;
      if (n >= sizeof out->msg) n = sizeof out->msg - 1;
      memcpy(out->msg, (const uint8_t *)a + 4, n);
      out->msg[n] = 0;
    }
    off += NLA_ALIGN(a->nla_len);
  }
}

static void execute(napi_env env, void *data) {
  (void)env;
  batch_job *job = data;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) { job->failed_call = "socket(AF_NETLINK, NETLINK_NETFILTER)"; job->failed_errno = errno; return; }
  struct sockaddr_nl local = { .nl_family = AF_NETLINK };
  int one = 1;
  /* The whole batch goes in one datagram: the socket buffer must hold it. */
  int sndbuf = (int)job->length + 65536;
  struct timeval timeout = { .tv_sec = REPLY_TIMEOUT_S };
  if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) { job->failed_call = "bind"; goto fail; }
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  ssize_t sent;
  do sent = sendto(fd, job->data, job->length, 0, (struct sockaddr *)&kernel, sizeof kernel);
  while (sent < 0 && errno == EINTR);
  if (sent < 0) { job->failed_call = "sendto (netlink batch)"; goto fail; }
  if ((size_t)sent != job->length) { job->failed_call = "sendto (netlink batch, short)"; errno = EMSGSIZE; goto fail; }
  static __thread uint8_t reply[1 << 16];
  int seen = 0;
  while (seen < job->acks) {
    ssize_t n = recv(fd, reply, sizeof reply, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { job->failed_call = errno == EAGAIN ? "recv (no reply from the kernel in time)" : "recv"; goto fail; }
    int left = (int)n;
    for (struct nlmsghdr *nh = (struct nlmsghdr *)reply; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
      if (nh->nlmsg_type != NLMSG_ERROR) continue;
      seen++;
      if (((struct nlmsgerr *)NLMSG_DATA(nh))->error != 0) record_error(job, nh);
    }
  }
  close(fd);
  return;
fail:
  job->failed_errno = errno;
  close(fd);
}

static void complete(napi_env env, napi_status status, void *data) {
  batch_job *job = data;
  napi_value result;
  if (status != napi_ok || job->failed_call) {
    char text[256];
    snprintf(text, sizeof text, "%s: %s", job->failed_call ? job->failed_call : "netfilter batch", strerror(job->failed_errno ? job->failed_errno : EIO));
    napi_value message;
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &result);
    napi_reject_deferred(env, job->deferred, result);
  } else {
    int shown = job->errors < MAX_ERRORS ? job->errors : MAX_ERRORS;
    napi_create_array_with_length(env, (size_t)shown, &result);
    for (int i = 0; i < shown; i++) {
      napi_value e, v;
      napi_create_object(env, &e);
      napi_create_uint32(env, job->error[i].seq, &v); napi_set_named_property(env, e, "seq", v);
      napi_create_int32(env, job->error[i].err, &v); napi_set_named_property(env, e, "errno", v);
      napi_create_string_utf8(env, job->error[i].msg[0] ? job->error[i].msg : strerror(job->error[i].err), NAPI_AUTO_LENGTH, &v);
      napi_set_named_property(env, e, "message", v);
      napi_set_element(env, result, (uint32_t)i, e);
    }
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_reference(env, job->buffer_ref);
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value js_netfilter_batch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  bool is_typed = false;
  int32_t acks = -1;
  if (argc == 2) napi_is_typedarray(env, argv[0], &is_typed);
  if (!is_typed || napi_get_value_int32(env, argv[1], &acks) != napi_ok || acks < 0) {
    napi_throw_type_error(env, NULL, "netfilterBatch(batch: Uint8Array, acks: number)");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *bytes;
  napi_value arraybuffer;
  size_t offset;
  napi_get_typedarray_info(env, argv[0], &type, &length, &bytes, &arraybuffer, &offset);
  if (type != napi_uint8_array) { napi_throw_type_error(env, NULL, "netfilterBatch: the batch must be a Uint8Array"); return NULL; }
  batch_job *job = calloc(1, sizeof *job);
  if (!job) { napi_throw_error(env, NULL, "out of memory"); return NULL; }
  job->data = bytes;
  job->length = length;
  job->acks = acks;
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_reference(env, argv[0], 1, &job->buffer_ref); /* the bytes stay alive, in place, while the thread reads them */
  napi_create_string_utf8(env, "podnet:netfilterBatch", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

void register_netfilter(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "netfilterBatch", NAPI_AUTO_LENGTH, js_netfilter_batch, NULL, &fn) == napi_ok) napi_set_named_property(env, exports, "netfilterBatch", fn);
}
