/* Machine throughput references for the lattice bench (one thread, CPU time):
 *  - ars_ns_per_word: ARS-7 (Random123's AES-round generator, 7 rounds) in 512-bit
 *    VAES registers, 8 independent rows of 4 blocks as in src/models/lattice.c:
 *    the generator of the glassvib kernel, i.e. the RNG floor;
 *  - philox_ns_per_word: Philox4x32-10 in 16 AVX-512 lanes (the previous generator);
 *  - rng_power_ns_per_site: ARS-7 plus the single-precision u^-0.4 (the kernel
 *    without the weighted sums): the RNG + transform floor;
 *  - fma_gflops_sp/dp: AVX-512 FMA peak (12 independent chains), and
 *    flop_floor_ns_per_site = flops per site of the kernel / peak (per site: 1 cvt +
 *    2 add + 3 FMA + 1 mul for the power (10 flops) and 2 FMA + 1 mul for the sums
 *    (5 flops), all single precision);
 *  - libm_pow_ns: pow(u, -0.4) per value (what NumPy's u ** -0.4 costs).
 * Build: gcc -O3 -march=native throughput.c -lm (run.sh does this). Prints JSON. */
#include <Random123/philox.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "../../src/models/lattice_power.h" /* the kernel's tables */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static inline void mulhilo16(__m512i a, __m512i m, __m512i *hi, __m512i *lo) {
  __m512i pe = _mm512_mul_epu32(a, m), po = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
  *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(pe, 32), po);
  *lo = _mm512_mullo_epi32(a, m);
}
static inline void philox16(uint32_t blk, const __m512i rk0[10], const __m512i rk1[10], __m512i x[4]) {
  const __m512i m0 = _mm512_set1_epi32((int)0xD2511F53u), m1 = _mm512_set1_epi32((int)0xCD9E8D57u);
  x[0] = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                          _mm512_set1_epi32((int)blk));
  x[1] = _mm512_set1_epi32(7);
  x[2] = _mm512_setzero_si512();
  x[3] = _mm512_set1_epi32(18);
  for (int r = 0; r < 10; r++) {
    __m512i h0, l0, h1, l1;
    mulhilo16(x[0], m0, &h0, &l0);
    mulhilo16(x[2], m1, &h1, &l1);
    x[0] = _mm512_ternarylogic_epi32(h1, x[1], rk0[r], 0x96);
    x[2] = _mm512_ternarylogic_epi32(h0, x[3], rk1[r], 0x96);
    x[1] = l1;
    x[3] = l0;
  }
}
/* 8 rows of 4 ARS-7 blocks (counters blk .. blk + 31): 128 words */
static inline void ars8(uint32_t blk, const __m512i rk[8], __m512i x[8]) {
  const __m512i c0 = _mm512_setr_epi32(0, 7, 0, 18, 1, 7, 0, 18, 2, 7, 0, 18, 3, 7, 0, 18);
  for (int c = 0; c < 8; c++)
    x[c] = _mm512_xor_si512(_mm512_add_epi32(c0, _mm512_maskz_set1_epi32(0x1111, (int)(blk + 4 * c))), rk[0]);
  for (int r = 1; r < 7; r++)
    for (int c = 0; c < 8; c++) x[c] = _mm512_aesenc_epi128(x[c], rk[r]);
  for (int c = 0; c < 8; c++) x[c] = _mm512_aesenclast_epi128(x[c], rk[7]);
}
/* t = u^-0.4 for 4 rows as the glassvib kernel computes it: a cubic per sixteenth of
 * the mantissa range (coefficients by 16-entry permutes), the chains interleaved */
static inline void t16x4(const __m512i *x, __m512 *t, __m512 tlo, __m512 thi, const __m512 cf[4]) {
  __m512 z[4];
  __m512i k[4], j[4];
  for (int r = 0; r < 4; r++) {
    __m512 v = _mm512_add_ps(_mm512_cvtepu32_ps(x[r]), _mm512_set1_ps(0.5f));
    __m512i b = _mm512_castps_si512(v);
    k[r] = _mm512_sub_epi32(_mm512_set1_epi32(159), _mm512_srli_epi32(b, 23));
    j[r] = _mm512_srli_epi32(b, 19);
    __m512 m = _mm512_castsi512_ps(
        _mm512_ternarylogic_epi32(b, _mm512_set1_epi32(0x0007ffff), _mm512_set1_epi32(0x3f800000), 0xEA));
    z[r] = _mm512_sub_ps(m, _mm512_set1_ps(1.03125f));
    t[r] = _mm512_permutexvar_ps(j[r], cf[0]);
  }
  for (int i = 1; i < 4; i++)
    for (int r = 0; r < 4; r++) t[r] = _mm512_fmadd_ps(t[r], z[r], _mm512_permutexvar_ps(j[r], cf[i]));
  for (int r = 0; r < 4; r++) t[r] = _mm512_mul_ps(t[r], _mm512_permutex2var_ps(tlo, k[r], thi));
}

int main(void) {
  /* ARS-7 in VAES registers */
  __m512i rk[8];
  for (int r = 0; r < 8; r++)
    rk[r] = _mm512_broadcast_i32x4(_mm_set_epi64x((long long)(0x1234u + r * 0xBB67AE8584CAA73BULL),
                                                  (long long)(0x5678u + r * 0x9E3779B97F4A7C15ULL)));
  const long na = 5000000;
  __m512i aacc = _mm512_setzero_si512();
  double t = now();
  for (long g = 0; g < na; g++) {
    __m512i x[8];
    ars8((uint32_t)(32 * g), rk, x);
    for (int c = 0; c < 8; c++) aacc = _mm512_xor_si512(aacc, x[c]);
  }
  double nsars = (now() - t) / (128.0 * na) * 1e9;
  /* AVX-512 Philox4x32-10 */
  __m512i rk0[10], rk1[10];
  for (int r = 0; r < 10; r++) {
    rk0[r] = _mm512_set1_epi32((int)(11u + (uint32_t)r * 0x9E3779B9u));
    rk1[r] = _mm512_set1_epi32((int)(12u + (uint32_t)r * 0xBB67AE85u));
  }
  const long ng = 20000000;
  __m512i acc = _mm512_setzero_si512();
  t = now();
  for (long g = 0; g < ng; g++) {
    __m512i x[4];
    philox16((uint32_t)(16 * g), rk0, rk1, x);
    acc = _mm512_xor_si512(acc, _mm512_ternarylogic_epi32(x[0], x[1], _mm512_xor_si512(x[2], x[3]), 0x96));
  }
  double ns32 = (now() - t) / (64.0 * ng) * 1e9;
  /* ARS-7 + the power */
  const __m512 tlo = _mm512_loadu_ps(lt_tab), thi = _mm512_loadu_ps(lt_tab + 16);
  const __m512 cf[4] = {_mm512_loadu_ps(lt_coef[0]), _mm512_loadu_ps(lt_coef[1]), _mm512_loadu_ps(lt_coef[2]),
                        _mm512_loadu_ps(lt_coef[3])};
  __m512 facc = _mm512_setzero_ps();
  t = now();
  for (long g = 0; g < na; g++) {
    __m512i x[8];
    __m512 tt[8];
    ars8((uint32_t)(32 * g), rk, x);
    t16x4(x, tt, tlo, thi, cf);
    t16x4(x + 4, tt + 4, tlo, thi, cf);
    for (int c = 0; c < 8; c++) facc = _mm512_add_ps(facc, tt[c]);
  }
  double nsp = (now() - t) / (128.0 * na) * 1e9;
  /* FMA peaks: 12 independent chains */
  __m512 f[12];
  __m512d d[12];
  for (int i = 0; i < 12; i++) {
    f[i] = _mm512_set1_ps(1.0f + i);
    d[i] = _mm512_set1_pd(1.0 + i);
  }
  const long nf = 50000000;
  const __m512 fa = _mm512_set1_ps(0.9999999f), fb = _mm512_set1_ps(1e-7f);
  t = now();
  for (long i = 0; i < nf; i++)
    for (int j = 0; j < 12; j++) f[j] = _mm512_fmadd_ps(f[j], fa, fb);
  double gsp = 2.0 * 16 * 12 * nf / (now() - t) / 1e9;
  const __m512d da = _mm512_set1_pd(0.999999999), db = _mm512_set1_pd(1e-9);
  t = now();
  for (long i = 0; i < nf; i++)
    for (int j = 0; j < 12; j++) d[j] = _mm512_fmadd_pd(d[j], da, db);
  double gdp = 2.0 * 8 * 12 * nf / (now() - t) / 1e9;
  double floor_ns = 15.0 / gsp; /* flops / (Gflop/s) = ns */
  /* libm pow */
  const long np = 10000000;
  double pacc = 0;
  t = now();
  for (long i = 0; i < np; i++) pacc += pow((i + 0.5) / np, -0.4);
  double nspow = (now() - t) / np * 1e9;
  float fs = 0, fd = 0, fp[16];
  _mm512_storeu_ps(fp, facc);
  for (int i = 0; i < 12; i++) {
    fs += _mm512_reduce_add_ps(f[i]);
    fd += (float)_mm512_reduce_add_pd(d[i]);
  }
  printf("{\"ars_ns_per_word\": %.4f, \"philox_ns_per_word\": %.4f, \"rng_power_ns_per_site\": %.4f, "
         "\"fma_gflops_sp\": %.1f, \"fma_gflops_dp\": %.1f, \"flop_floor_ns_per_site\": %.4f, \"libm_pow_ns\": %.3f, "
         "\"check\": %g}\n",
         nsars, ns32, nsp, gsp, gdp, floor_ns, nspow,
         (double)_mm512_reduce_add_epi32(aacc) * 1e-30 + (double)_mm512_reduce_add_epi32(acc) * 1e-30 + fp[3] * 1e-30 + fs * 1e-30 +
             fd * 1e-30 + pacc * 1e-30);
  return 0;
}
