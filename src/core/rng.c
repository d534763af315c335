/* Counter-based random streams (Random123 Philox4x64-10; Salmon et al., SC'11).
 * key = (seed, mix(sample, purpose)); counter = (block_hi, block_lo, 0, 0).
 * Each stream is a pure function of (seed, sample, purpose), independent of the
 * order or thread in which streams are created. */
#include "glassvib/core.h"

#include <Random123/philox.h>
#include <math.h>

/* SplitMix64 finaliser: spreads (sample, purpose) over the second key word. */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void gv_rng_init(gv_rng *r, uint64_t seed, uint64_t sample, uint32_t purpose) {
  r->key[0] = seed;
  r->key[1] = mix64(sample * 0x9e3779b97f4a7c15ULL + (uint64_t)purpose) ^ (uint64_t)purpose << 56;
  gv_rng_seek(r, 0, 0);
}

void gv_rng_seek(gv_rng *r, uint64_t block_hi, uint64_t block_lo) {
  r->ctr[0] = block_lo;
  r->ctr[1] = block_hi;
  r->ctr[2] = r->ctr[3] = 0;
  r->used = 4;
}

static void refill(gv_rng *r) {
  philox4x64_ctr_t c = {{r->ctr[0], r->ctr[1], r->ctr[2], r->ctr[3]}};
  philox4x64_key_t k = {{r->key[0], r->key[1]}};
  philox4x64_ctr_t out = philox4x64(c, k);
  for (int i = 0; i < 4; i++) r->buf[i] = out.v[i];
  if (++r->ctr[2] == 0) ++r->ctr[3]; /* next block within this seek position */
  r->used = 0;
}

uint64_t gv_rng_u64(gv_rng *r) {
  if (r->used >= 4) refill(r);
  return r->buf[r->used++];
}

double gv_rng_uniform(gv_rng *r) {
  /* 53 random bits, shifted by half an ulp: strictly inside (0, 1). */
  return ((double)(gv_rng_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

double gv_rng_normal(gv_rng *r) {
  /* Box-Muller; one value per call keeps the stream position simple. */
  double u1 = gv_rng_uniform(r), u2 = gv_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

uint64_t gv_rng_below(gv_rng *r, uint64_t n) {
  if (n <= 1) return 0;
  uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* reject the biased tail */
  uint64_t x;
  do x = gv_rng_u64(r);
  while (x >= limit);
  return x % n;
}
