{
  "targets": [
    {
      "target_name": "arginator_kernels",
      "sources": [
        "native/addon.cc",
        "native/common/isa.cc",
        "native/gemm/gemm.cc",
        "native/gemm/gemm-napi.cc",
        "native/train/train.cc",
        "native/train/train-napi.cc",
        "native/align/gotoh.cc",
        "native/align/striped.cc",
        "native/align/striped8.cc",
        "native/align/swipe.cc",
        "native/align/swipe8.cc",
        "native/align/sw-batch.cc",
        "native/align/align-napi.cc",
        "native/seeds/seeds.cc",
        "native/seeds/seeds-napi.cc",
        "native/seeds/screen.cc",
        "native/seeds/screen-napi.cc",
        "native/embed/builtin-embedder.cc",
        "native/io/map-file.cc"
      ],
      "cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-pthread"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-math-errno"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "Optimization": 2, "AdditionalOptions": ["/std:c++17"] }
      }
    }
  ]
}
