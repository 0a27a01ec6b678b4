{
  "targets": [
    {
      "target_name": "tooltune_kernels",
      "sources": ["native/addon.cc", "native/sgemm.cc", "native/elementwise.cc", "native/buffers.cc", "native/pool.cc", "native/attention.cc", "native/attention_napi.cc", "native/fused.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-trapping-math"],
      "ldflags": ["-pthread"],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["avx2_kernels"], "defines": ["TT_HAVE_AVX2_TU"]}]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "avx2_kernels",
          "type": "static_library",
          "sources": ["native/microkernel_avx2.cc"],
          "defines": ["TT_HAVE_AVX2_TU"],
          "cflags_cc": ["-O3", "-std=c++17", "-mavx2", "-mfma", "-fPIC"]
        }
      ]
    }]
  ]
}
