/*
 * podnet's native module: the few things Node cannot do itself, each with a
 * portable fallback in the TypeScript that loads it (src/native/native.ts).
 *   open(host, port, onBatch)        UDP through recvmmsg/sendmmsg (udp_batch.c)
 *   netfilterBatch(batch, acks)      one nfnetlink transaction (netfilter.c)
 *   dialInNetns(path, port)          TCP to a pod's loopback (netns_dial.c)
 *   trimMalloc()                     glibc malloc_trim(0)
 */
#include <node_api.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "native.h"

/* Hands the C heap's free pages back to the kernel. The initial list of a
 * large cluster passes tens of MB of response bodies through malloc; glibc
 * keeps freed arenas resident until asked. Returns whether anything was
 * released (false where the libc has no trim). */
static napi_value js_trim_malloc(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value result;
  napi_get_boolean(env, released != 0, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  register_udp_batch(env, exports);
  register_netfilter(env, exports);
  register_netns_dial(env, exports);
  if (napi_create_function(env, "trimMalloc", NAPI_AUTO_LENGTH, js_trim_malloc, NULL, &fn) == napi_ok) napi_set_named_property(env, exports, "trimMalloc", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
