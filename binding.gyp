{
  "targets": [
    {
      "target_name": "podnet_native",
      "sources": ["src/native/module.c", "src/native/udp_batch.c", "src/native/netfilter.c", "src/native/netns_dial.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    },
    {
      "target_name": "podnet-shim",
      "type": "executable",
      "sources": ["src/native/shim.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
