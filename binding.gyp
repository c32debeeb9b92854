{
  "targets": [
    {
      "target_name": "podnet_native",
      "sources": ["src/native/udp_batch.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", { "sources!": ["src/native/udp_batch.c"] }]]
    }
  ]
}
