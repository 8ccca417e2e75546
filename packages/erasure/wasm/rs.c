/*
 * Reed-Solomon over GF(2^8): the byte crunching, in WebAssembly SIMD (build.sh builds rs.wasm).
 *
 * Everything here is one operation: out_r = sum over c of M[r][c] * in_c, for a small matrix M over
 * GF(2^8) and rows of bytes in_c, column by column (byte x of every output row depends only on byte x
 * of every input row). Encoding is that with the parity rows of the generator matrix, decoding with
 * rows of an inverted matrix, syndromes with a parity-check matrix. The field arithmetic, the
 * matrices and the memory layout live in TypeScript (src/); this file only multiplies fast.
 *
 * The split-table multiply: multiplying by a constant c is linear over XOR, so
 *   c * x = c * (x & 0x0f)  ^  c * (x & 0xf0),
 * and each half takes only 16 values. TypeScript hands over, per matrix entry, two 16-byte tables
 * (lo[v] = c * v, hi[v] = c * (v << 4)); i8x16.swizzle (x86's pshufb, Arm's tbl) then looks up 16
 * bytes at once in each. One multiply-add of 16 bytes costs ~8 instructions, with no log/exp table
 * walk and no branch on zero.
 */
#include <stdint.h>
#include <wasm_simd128.h>

/* Columns per block: every input row's block stays in the L1 cache while all output rows use it. */
#define BLOCK 1024

/* 16 products c * x, from c's tables; mask = 0x0f in every byte. */
static inline v128_t mul16(v128_t lo, v128_t hi, v128_t x, v128_t mask) {
  v128_t low = wasm_v128_and(x, mask);
  v128_t high = wasm_v128_and(wasm_u16x8_shr(x, 4), mask); /* no 8-bit shift in wasm: 16-bit, then mask */
  return wasm_v128_xor(wasm_i8x16_swizzle(lo, low), wasm_i8x16_swizzle(hi, high));
}

/* Bytes past the last whole vector of a row, one by one, from the same tables. */
static uint8_t mul1(const uint8_t *table, uint8_t x) {
  return table[x & 0x0f] ^ table[16 + (x >> 4)];
}

/*
 * out row r (at out + r * outStride) = sum over c of M[r][c] * (in row c, at in + c * inStride),
 * `len` bytes per row. `tables` holds 32 bytes per entry of M, row-major (lo table, then hi table).
 * Four vectors per step keep four accumulators in registers, so each entry's tables are loaded once
 * per 64 columns.
 */
static void mul_block(const uint8_t *tables, uint32_t rows, uint32_t cols, const uint8_t *in, uint32_t inStride,
                      uint8_t *out, uint32_t outStride, uint32_t len) {
  const v128_t mask = wasm_i8x16_splat(0x0f);
  for (uint32_t r = 0; r < rows; r++) {
    const uint8_t *row = tables + r * cols * 32;
    uint8_t *o = out + r * outStride;
    uint32_t x = 0;
    for (; x + 64 <= len; x += 64) {
      v128_t a0 = wasm_i64x2_splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (uint32_t c = 0; c < cols; c++) {
        const v128_t lo = wasm_v128_load(row + c * 32), hi = wasm_v128_load(row + c * 32 + 16);
        const uint8_t *p = in + c * inStride + x;
        a0 = wasm_v128_xor(a0, mul16(lo, hi, wasm_v128_load(p), mask));
        a1 = wasm_v128_xor(a1, mul16(lo, hi, wasm_v128_load(p + 16), mask));
        a2 = wasm_v128_xor(a2, mul16(lo, hi, wasm_v128_load(p + 32), mask));
        a3 = wasm_v128_xor(a3, mul16(lo, hi, wasm_v128_load(p + 48), mask));
      }
      wasm_v128_store(o + x, a0);
      wasm_v128_store(o + x + 16, a1);
      wasm_v128_store(o + x + 32, a2);
      wasm_v128_store(o + x + 48, a3);
    }
    for (; x + 16 <= len; x += 16) {
      v128_t a = wasm_i64x2_splat(0);
      for (uint32_t c = 0; c < cols; c++) {
        const v128_t lo = wasm_v128_load(row + c * 32), hi = wasm_v128_load(row + c * 32 + 16);
        a = wasm_v128_xor(a, mul16(lo, hi, wasm_v128_load(in + c * inStride + x), mask));
      }
      wasm_v128_store(o + x, a);
    }
    for (; x < len; x++) {
      uint8_t a = 0;
      for (uint32_t c = 0; c < cols; c++) a ^= mul1(row + c * 32, in[c * inStride + x]);
      o[x] = a;
    }
  }
}

/*
 * Multiplies a rows × cols matrix by cols input rows of `len` bytes (row c at in + c * inStride) into
 * rows output rows (row r at out + r * outStride), a block of columns at a time for all output rows.
 */
__attribute__((export_name("rs_mul"))) void rs_mul(const uint8_t *tables, uint32_t rows, uint32_t cols,
                                                   const uint8_t *in, uint32_t inStride, uint8_t *out,
                                                   uint32_t outStride, uint32_t len) {
  for (uint32_t x = 0; x < len; x += BLOCK) {
    uint32_t n = len - x < BLOCK ? len - x : BLOCK;
    mul_block(tables, rows, cols, in + x, inStride, out + x, outStride, n);
  }
}

/*
 * Encodes `count` stripes (k shares of shareSize bytes each, back to back, as the segment holds them)
 * into n shards of count × shareSize bytes (shard i = share i of every stripe, i.e. the bytes that
 * continue piece i), back to back at `shards`. `tables` holds the (n - k) × k parity rows of the
 * generator matrix. Stripe by stripe: its k shares (k × 256 bytes by default) sit in L1 while every
 * parity row is computed from them, and the data shares are copied to their shards on the way.
 */
__attribute__((export_name("rs_encode"))) void rs_encode(const uint8_t *tables, uint32_t k, uint32_t n,
                                                         const uint8_t *stripes, uint32_t count,
                                                         uint32_t shareSize, uint8_t *shards) {
  const uint32_t shardSize = count * shareSize;
  for (uint32_t s = 0; s < count; s++) {
    const uint8_t *stripe = stripes + s * k * shareSize;
    for (uint32_t i = 0; i < k; i++) __builtin_memcpy(shards + i * shardSize + s * shareSize, stripe + i * shareSize, shareSize);
    mul_block(tables, n - k, k, stripe, shareSize, shards + k * shardSize + s * shareSize, shardSize, shareSize);
  }
}

/*
 * The inverse: rebuilds `count` stripes from k shards of count × shareSize bytes (the k pieces decoded
 * from, back to back at `shards`) into `stripes`. `sources[i]` says where data share i comes from:
 * shard sources[i] as it is (a data piece that is present), or, when it is -1, row i of the k × k
 * decode matrix in `tables` applied to all k shards.
 */
__attribute__((export_name("rs_decode"))) void rs_decode(const uint8_t *tables, uint32_t k, const int32_t *sources,
                                                         const uint8_t *shards, uint32_t count, uint32_t shareSize,
                                                         uint8_t *stripes) {
  const uint32_t shardSize = count * shareSize;
  for (uint32_t s = 0; s < count; s++) {
    const uint8_t *in = shards + s * shareSize;
    uint8_t *stripe = stripes + s * k * shareSize;
    for (uint32_t i = 0; i < k; i++) {
      if (sources[i] >= 0) __builtin_memcpy(stripe + i * shareSize, in + sources[i] * shardSize, shareSize);
      else mul_block(tables + i * k * 32, 1, k, in, shardSize, stripe + i * shareSize, 0, shareSize);
    }
  }
}
