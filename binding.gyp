{
  "targets": [
    {
      "target_name": "geosteer_udp",
      "sources": ["native/addon.c", "native/batch-socket.c"],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [
        ["OS!='linux'", { "type": "none", "sources!": ["native/addon.c", "native/batch-socket.c"] }]
      ]
    }
  ]
}
