/* The parts of podnet's native module; module.c registers them. */
#ifndef PODNET_NATIVE_H
#define PODNET_NATIVE_H
#include <node_api.h>

void register_udp_batch(napi_env env, napi_value exports);
void register_netfilter(napi_env env, napi_value exports);
void register_netns_dial(napi_env env, napi_value exports);

#endif
