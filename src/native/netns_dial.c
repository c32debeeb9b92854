/*
 * dialInNetns(netnsPath, port): a TCP connection to 127.0.0.1:port made
 * inside another network namespace, resolved with its file descriptor (the
 * caller wraps it in a net.Socket). port-forward needs the pod's loopback;
 * a socket keeps the namespace it was created in, so only its creation needs
 * to happen there. setns() moves just the calling thread, and a libuv worker
 * must never be left in a pod's namespace (getaddrinfo runs on those), so
 * the switch happens on a short-lived thread of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "native.h"

#define CONNECT_TIMEOUT_S 10

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char path[512];
  int port;
  int fd;
  const char *failed_call;
  int failed_errno;
} dial_job;

static void *dial_in_namespace(void *data) {
  dial_job *job = data;
  int ns = open(job->path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) { job->failed_call = "open network namespace"; job->failed_errno = errno; return NULL; }
  int entered = setns(ns, CLONE_NEWNET);
  job->failed_errno = errno;
  close(ns);
  if (entered != 0) { job->failed_call = "setns"; return NULL; }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) { job->failed_call = "socket"; job->failed_errno = errno; return NULL; }
  /* A blocking connect bounded by the send timeout: on loopback it answers at once unless the backlog is full. */
  struct timeval timeout = { .tv_sec = CONNECT_TIMEOUT_S };
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)job->port), .sin_addr = { htonl(INADDR_LOOPBACK) } };
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    job->failed_call = "connect";
    job->failed_errno = errno == EINPROGRESS ? ETIMEDOUT : errno;
    close(fd);
    return NULL;
  }
  struct timeval none = { 0 };
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
  job->fd = fd;
  return NULL;
}

static void execute(napi_env env, void *data) {
  (void)env;
  dial_job *job = data;
  pthread_t thread;
  int err = pthread_create(&thread, NULL, dial_in_namespace, job);
  if (err != 0) { job->failed_call = "pthread_create"; job->failed_errno = err; return; }
  pthread_join(thread, NULL);
}

static void complete(napi_env env, napi_status status, void *data) {
  dial_job *job = data;
  napi_value result;
  if (status != napi_ok || job->fd < 0) {
    char text[640];
    int err = job->failed_errno ? job->failed_errno : EIO;
    snprintf(text, sizeof text, "%s(127.0.0.1:%d in %s): %s", job->failed_call ? job->failed_call : "dial", job->port, job->path, strerror(err));
    napi_value message, code;
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &result);
    napi_create_int32(env, err, &code);
    napi_set_named_property(env, result, "errno", code);
    napi_reject_deferred(env, job->deferred, result);
  } else {
    napi_create_int32(env, job->fd, &result);
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value js_dial_in_netns(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  dial_job *job = calloc(1, sizeof *job);
  if (!job) { napi_throw_error(env, NULL, "out of memory"); return NULL; }
  size_t length = 0;
  int32_t port = -1;
  if (argc != 2 || napi_get_value_string_utf8(env, argv[0], job->path, sizeof job->path, &length) != napi_ok ||
      length == 0 || length >= sizeof job->path - 1 || napi_get_value_int32(env, argv[1], &port) != napi_ok || port < 1 || port > 65535) {
    free(job);
    napi_throw_type_error(env, NULL, "dialInNetns(netnsPath: string, port: 1-65535)");
    return NULL;
  }
  job->port = port;
  job->fd = -1;
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "podnet:dialInNetns", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

void register_netns_dial(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "dialInNetns", NAPI_AUTO_LENGTH, js_dial_in_netns, NULL, &fn) == napi_ok)
    napi_set_named_property(env, exports, "dialInNetns", fn);
}
