#!/bin/sh
# Rebuilds rs.wasm from rs.c. Only needed after changing rs.c: the .wasm is committed, so neither CI nor
# users compile C. Needs clang and wasm-ld (Debian: apt-get install clang lld).
#   -msimd128       WebAssembly SIMD (i8x16.swizzle is the split-table lookup)
#   -mbulk-memory   __builtin_memcpy becomes memory.copy (there is no libc to call)
#   -nostdlib, --no-entry: a library of exported functions, nothing else
#   stack-size      rs.c keeps almost nothing on the stack; TypeScript places its data above __heap_base
set -eu
cd "$(dirname "$0")"
clang --target=wasm32 -O3 -msimd128 -mbulk-memory -nostdlib -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--export=__heap_base -Wl,-z,stack-size=65536 -Wl,--strip-all \
  -o rs.wasm rs.c
echo "built $(pwd)/rs.wasm ($(wc -c < rs.wasm) bytes)"
