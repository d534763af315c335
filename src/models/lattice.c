/* Lattice model of dipole stiffnesses (Rainone, Bouchbinder, Lerner, J. Chem.
 * Phys. 152, 194503 (2020), seed 003, Eqs. 8-10). On a d-dimensional periodic
 * cubic lattice of odd side L (unit spacing), omega_j are i.i.d. with
 * p(omega) = 5 omega^4 on [0, 1]; for the centre site c
 *   a = omega_c^-2 + sum_{j != c} r_cj^(-2d) omega_j^-2,
 *   b = omega_c^-4 + sum_{j != c} r_cj^(-2d) omega_j^-4,   kappa = a / b.
 * Why r^-2d: a QLM's field decays as |psi| ~ r^-(d-1) (seed Eq. 6); the dipole is a
 * gradient, so (psi . d)^2 ~ (d/dr r^-(d-1))^2 ~ r^-2d (seed Eq. 7). Distances are
 * minimum-image; seen from the centre of an odd lattice every offset is already
 * its minimum image (|dx| <= (L-1)/2). Dimensionless throughout.
 *
 * Layout. Site p = 0 is the centre (weight 1), p = 1 .. S-1 the other sites in
 * lexicographic order (weights r^-2d), p = S .. P-1 padding with weight 0 (P = S
 * rounded up to 128), so a = sum_p W_p t_p and b = sum_p W_p t_p^2 with t = omega^-2.
 *
 * Random numbers. omega = u^(1/5) (inverse CDF of 5 omega^4), so t = u^(-2/5) and
 * omega^-4 = t^2: one power per site. Realisation k of seed s uses ARS-7, the
 * AES-round counter-based generator of Random123 (Salmon et al., SC11; its default
 * 7 rounds, "Crush-resistant": passes TestU01 BigCrush), with the 128-bit key
 * (splitmix64(s), splitmix64(splitmix64(s))) and counter (block, k_lo32, k_hi32,
 * GV_RNG_LATTICE); site p takes 32-bit word p % 4 of block p / 4. Why ARS and not
 * Philox: with 512-bit VAES one AES round does 16 words at once, and the generator
 * costs 0.055 ns per word on this machine's core against 0.25 for Philox4x32-10 in
 * 16 AVX-512 lanes (bench/lattice/throughput.c): the lattice kernel was half
 * random-number generation. The realisation is a pure function of (seed, k, d, L):
 * independent of threads, chunks and ISA; CPUs without AES instructions run the
 * same rounds in portable C (tested bitwise against Random123's ars4x32 and the
 * AES-NI instructions).
 * u from the word x: u = (x + 1/2) 2^-32 for x >= 2^16. For x < 2^16 (probability
 * 2^-16 per site) a second word y from the extension stream (counter
 * (p/4, k_lo, k_hi, GV_RNG_LATTICE | 2^31), word p % 4) refines it to
 * u = (x 2^32 + y + 1/2) 2^-64. Hence u is resolved with relative spacing <= 2^-16
 * for every u > 2^-48, and the mass below 2^-48 (3.6e-15 per site, 3e-4 for a whole
 * run of 10^7 realisations of 10^4 sites) is the only truncation. This matters
 * because the smallest u (largest t) set b and the small-kappa tail.
 * The power t = u^-0.4 is computed in single precision (relative error <= 1.8e-7,
 * checked in tests/models/test_lattice.c against libm pow): for x >= 2^16,
 * v = float(x) + 1/2 = m 2^E (m in [1, 2)), t = m^-0.4 * 2^(0.4 (32 - E)) with a
 * cubic per sixteenth of [1, 2] for m^-0.4 and a 17-entry table; for x < 2^16,
 * t = (float) pow(u, -0.4) in double. Sums: site p goes to lane p % 16; each group
 * of 8 rows (128 sites) is summed per lane in single precision from zero (weights
 * rounded to float), and the group sums are added to per-lane double sums, then the
 * 16 lanes in order. The float partial sums make the kernel 1.26x faster than double
 * accumulation and keep the error at the float level of one group (~1e-7 relative):
 * the far sites' tiny terms (r^-2d down to 1e-8) never meet a large running sum in
 * float. Every multiply-add is an explicit fused one, so the AVX-512 kernel and the
 * portable kernel give bitwise identical kappa (tested). The reference path
 * gv_lattice_kappa_one uses the same words, libm pow in double, double weights and a
 * plain serial sum (agreement 3e-7 relative, tested to 2e-6). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/models.h"
#include "lattice_power.h"

#define LT_ROW 16  /* sites per 512-bit row of words (4 ARS blocks) */
#define LT_ROWS 8  /* rows per group: AES chains in flight, and the float partial sums */
#define LT_PAD (LT_ROW * LT_ROWS)

struct gv_lattice {
  int dim, L;
  size_t sites, padded;
  double *W; /* padded weights: W[0] = 1 (centre), W[1..S-1] = r^-2d, then 0 */
  float *Wf; /* the same rounded to float (the kernels' weights) */
  int kernel; /* GV_LATTICE_KERNEL_* actually used */
  int aesni;  /* scalar ARS blocks with the AES-NI instructions (else portable C) */
};

#define LT_EXT_BIT 0x80000000u

void gv_lattice_destroy(gv_lattice **lat) {
  if (!lat || !*lat) return;
  free((*lat)->W);
  free((*lat)->Wf);
  free(*lat);
  *lat = NULL;
}

size_t gv_lattice_sites(const gv_lattice *lat) { return lat->sites; }
int gv_lattice_dim(const gv_lattice *lat) { return lat->dim; }
int gv_lattice_side(const gv_lattice *lat) { return lat->L; }
const double *gv_lattice_weights(const gv_lattice *lat) { return lat->W + 1; }

/* The AVX-512 kernel needs AVX-512F and the 512-bit AES instructions (VAES). */
static int cpu_has_avx512_vaes(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("vaes");
#else
  return 0;
#endif
}

static int cpu_has_aesni(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("aes");
#else
  return 0;
#endif
}

int gv_lattice_set_kernel(gv_lattice *lat, int kernel) {
  if (!lat) return GV_ERROR(GV_EINVAL, "lattice: NULL");
  if (kernel == GV_LATTICE_KERNEL_AUTO)
    kernel = cpu_has_avx512_vaes() ? GV_LATTICE_KERNEL_AVX512 : GV_LATTICE_KERNEL_PORTABLE;
  if (kernel == GV_LATTICE_KERNEL_AVX512 && !cpu_has_avx512_vaes())
    return GV_ERROR(GV_ENOTSUP, "lattice: this CPU has no AVX-512F with VAES");
  if (kernel != GV_LATTICE_KERNEL_AVX512 && kernel != GV_LATTICE_KERNEL_PORTABLE)
    return GV_ERROR(GV_EINVAL, "lattice: unknown kernel %d", kernel);
  lat->kernel = kernel;
  lat->aesni = cpu_has_aesni();
  return GV_OK;
}
int gv_lattice_kernel(const gv_lattice *lat) { return lat->kernel; }

/* Float copy of the weights, then the fastest kernel this CPU has. */
static int lt_finish(gv_lattice *lat) {
  lat->Wf = aligned_alloc(64, lat->padded * sizeof *lat->Wf);
  if (!lat->Wf) return GV_ERROR(GV_ENOMEM, "lattice: no memory for %zu weights", lat->padded);
  for (size_t p = 0; p < lat->padded; p++) lat->Wf[p] = (float)lat->W[p];
  return gv_lattice_set_kernel(lat, GV_LATTICE_KERNEL_AUTO);
}

int gv_lattice_create(gv_lattice **out, int dim, int L) {
  int status = GV_OK;
  gv_lattice *lat = NULL;
  if (!out) return GV_ERROR(GV_EINVAL, "lattice: NULL output");
  *out = NULL;
  if (dim < 1) return GV_ERROR(GV_EINVAL, "lattice: dimension %d, need d >= 1", dim);
  if (dim > 64) return GV_ERROR(GV_EINVAL, "lattice: d = %d > 64 not supported", dim);
  if (L < 1 || L % 2 == 0)
    return GV_ERROR(GV_EINVAL, "lattice: side L = %d must be odd and >= 1 (the centre site must exist)", L);
  double s = pow((double)L, (double)dim);
  /* block indices are 32-bit: P / 4 < 2^32 */
  if (s > 2147483648.0) return GV_ERROR(GV_EINVAL, "lattice: L^d = %.3g sites is too many", s);
  GV_ALLOC(lat, 1);
  lat->dim = dim;
  lat->L = L;
  lat->sites = (size_t)llround(s);
  lat->padded = (lat->sites + LT_PAD - 1) / LT_PAD * LT_PAD;
  lat->W = aligned_alloc(64, lat->padded * sizeof *lat->W);
  if (!lat->W) { status = GV_ERROR(GV_ENOMEM, "lattice: no memory for %zu weights", lat->padded); goto cleanup; }
  for (size_t p = 0; p < lat->padded; p++) lat->W[p] = 0;
  lat->W[0] = 1; /* the centre: omega_c^-2 enters a with weight 1 */
  const int c = (L - 1) / 2;
  int idx[64] = {0};
  size_t k = 1;
  for (size_t site = 0; site < lat->sites; site++) {
    long r2 = 0;
    for (int a = 0; a < dim; a++) {
      long dx = idx[a] - c;
      r2 += dx * dx;
    }
    if (r2 > 0) lat->W[k++] = pow((double)r2, -(double)dim); /* (r^2)^-d = r^-2d */
    for (int a = dim - 1; a >= 0; a--) { /* odometer, last index fastest */
      if (++idx[a] < L) break;
      idx[a] = 0;
    }
  }
  status = lt_finish(lat);
  if (status < 0) goto cleanup;
  *out = lat;
  lat = NULL;
cleanup:
  gv_lattice_destroy(&lat);
  return status;
}

int gv_lattice_create_star(gv_lattice **out, int n) {
  int status = GV_OK;
  gv_lattice *lat = NULL;
  if (!out) return GV_ERROR(GV_EINVAL, "lattice: NULL output");
  *out = NULL;
  if (n < 0 || n > (1 << 30)) return GV_ERROR(GV_EINVAL, "lattice star: %d neighbours, need 0 <= n <= 2^30", n);
  GV_ALLOC(lat, 1);
  lat->dim = 0;
  lat->L = n;
  lat->sites = (size_t)n + 1;
  lat->padded = (lat->sites + LT_PAD - 1) / LT_PAD * LT_PAD;
  lat->W = aligned_alloc(64, lat->padded * sizeof *lat->W);
  if (!lat->W) { status = GV_ERROR(GV_ENOMEM, "lattice: no memory for %zu weights", lat->padded); goto cleanup; }
  for (size_t p = 0; p < lat->padded; p++) lat->W[p] = p < lat->sites ? 1 : 0;
  status = lt_finish(lat);
  if (status < 0) goto cleanup;
  *out = lat;
  lat = NULL;
cleanup:
  gv_lattice_destroy(&lat);
  return status;
}

/* ---- the stream: ARS-7 ---- */
static uint64_t lt_splitmix(uint64_t seed) { /* splitmix64 finaliser: decorrelates nearby seeds */
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* ARS round keys: rk[0] = key, rk[r] = rk[r-1] + (golden ratio, sqrt(3) - 1) as two
 * 64-bit Weyl increments (Random123's ars1xm128i); [r][0] is the low half. */
typedef struct { uint64_t rk[8][2]; } lt_keys;

static void lt_keys_from_words(lt_keys *K, const uint32_t key[4]) {
  K->rk[0][0] = key[0] | (uint64_t)key[1] << 32;
  K->rk[0][1] = key[2] | (uint64_t)key[3] << 32;
  for (int r = 1; r < 8; r++) {
    K->rk[r][0] = K->rk[r - 1][0] + 0x9E3779B97F4A7C15ULL;
    K->rk[r][1] = K->rk[r - 1][1] + 0xBB67AE8584CAA73BULL;
  }
}

static void lt_keys_init(lt_keys *K, uint64_t seed) {
  uint64_t k0 = lt_splitmix(seed), k1 = lt_splitmix(k0);
  uint32_t w[4] = {(uint32_t)k0, (uint32_t)(k0 >> 32), (uint32_t)k1, (uint32_t)(k1 >> 32)};
  lt_keys_from_words(K, w);
}

/* Portable AES round on the 16-byte state (byte 4c + r = row r of column c, the
 * byte order of the AES-NI registers): SubBytes, ShiftRows, MixColumns unless
 * `last`, then the round key. Only CPUs without AES instructions use it. */
static const uint8_t lt_sbox[256] = {
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
    0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
    0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
    0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
    0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
    0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
    0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
    0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
    0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
    0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
    0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16};

static inline uint8_t lt_xtime(uint8_t a) { return (uint8_t)(a << 1 ^ (a & 0x80 ? 0x1b : 0)); }

static void lt_aes_round(uint8_t s[16], const uint64_t rk[2], int last) {
  uint8_t t[16];
  for (int c = 0; c < 4; c++)
    for (int r = 0; r < 4; r++) t[4 * c + r] = lt_sbox[s[4 * ((c + r) & 3) + r]];
  if (!last)
    for (int c = 0; c < 4; c++) {
      uint8_t *a = t + 4 * c, a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], all = a0 ^ a1 ^ a2 ^ a3;
      a[0] ^= all ^ lt_xtime(a0 ^ a1); /* 2 a0 + 3 a1 + a2 + a3 */
      a[1] ^= all ^ lt_xtime(a1 ^ a2);
      a[2] ^= all ^ lt_xtime(a2 ^ a3);
      a[3] ^= all ^ lt_xtime(a3 ^ a0);
    }
  for (int i = 0; i < 16; i++) s[i] = t[i] ^ (uint8_t)(rk[i / 8] >> 8 * (i % 8));
}

static void lt_ars_soft(const lt_keys *K, const uint32_t ctr[4], uint32_t out[4]) {
  uint8_t s[16];
  for (int i = 0; i < 16; i++) s[i] = (uint8_t)(ctr[i / 4] >> 8 * (i % 4)) ^ (uint8_t)(K->rk[0][i / 8] >> 8 * (i % 8));
  for (int r = 1; r < 8; r++) lt_aes_round(s, K->rk[r], r == 7);
  for (int w = 0; w < 4; w++)
    out[w] = s[4 * w] | (uint32_t)s[4 * w + 1] << 8 | (uint32_t)s[4 * w + 2] << 16 | (uint32_t)s[4 * w + 3] << 24;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("aes,sse2"))) static void lt_ars_aesni(const lt_keys *K, const uint32_t ctr[4], uint32_t out[4]) {
  __m128i v = _mm_xor_si128(_mm_loadu_si128((const __m128i *)ctr), _mm_loadu_si128((const __m128i *)K->rk[0]));
  for (int r = 1; r < 7; r++) v = _mm_aesenc_si128(v, _mm_loadu_si128((const __m128i *)K->rk[r]));
  v = _mm_aesenclast_si128(v, _mm_loadu_si128((const __m128i *)K->rk[7]));
  _mm_storeu_si128((__m128i *)out, v);
}

/* Row q of the main stream: blocks 4 q .. 4 q + 3, four AES chains interleaved. */
__attribute__((target("aes,sse2"))) static void lt_row_aesni(const lt_keys *K, uint64_t index, size_t q,
                                                            uint32_t out[16]) {
  __m128i v[4];
  for (int j = 0; j < 4; j++)
    v[j] = _mm_xor_si128(_mm_setr_epi32((int)(4 * q + (size_t)j), (int)(uint32_t)index, (int)(uint32_t)(index >> 32),
                                        GV_RNG_LATTICE),
                         _mm_loadu_si128((const __m128i *)K->rk[0]));
  for (int r = 1; r < 7; r++) {
    __m128i k = _mm_loadu_si128((const __m128i *)K->rk[r]);
    for (int j = 0; j < 4; j++) v[j] = _mm_aesenc_si128(v[j], k);
  }
  __m128i k = _mm_loadu_si128((const __m128i *)K->rk[7]);
  for (int j = 0; j < 4; j++) _mm_storeu_si128((__m128i *)(out + 4 * j), _mm_aesenclast_si128(v[j], k));
}
#endif

static inline void lt_ars(int aesni, const lt_keys *K, const uint32_t ctr[4], uint32_t out[4]) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (aesni) { lt_ars_aesni(K, ctr, out); return; }
#endif
  (void)aesni;
  lt_ars_soft(K, ctr, out);
}

int gv_lattice_ars7(const uint32_t key[4], const uint32_t ctr[4], uint32_t out[4], int hardware) {
  if (!key || !ctr || !out) return GV_ERROR(GV_EINVAL, "lattice: NULL argument");
  if (hardware && !cpu_has_aesni()) return GV_ERROR(GV_ENOTSUP, "lattice: this CPU has no AES instructions");
  lt_keys K;
  lt_keys_from_words(&K, key);
  lt_ars(hardware, &K, ctr, out);
  return GV_OK;
}

/* The four words of block `block` of realisation `index` (tag: main or extension stream). */
static inline void lt_block(const gv_lattice *lat, const lt_keys *K, uint64_t index, uint32_t block,
                            uint32_t tag, uint32_t out[4]) {
  const uint32_t ctr[4] = {block, (uint32_t)index, (uint32_t)(index >> 32), tag};
  lt_ars(lat->aesni, K, ctr, out);
}

/* The 16 words of row q (sites 16 q .. 16 q + 15) of the main stream. */
static void lt_row(const gv_lattice *lat, const lt_keys *K, uint64_t index, size_t q, uint32_t out[16]) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (lat->aesni) { lt_row_aesni(K, index, q, out); return; }
#endif
  for (int j = 0; j < 4; j++) lt_block(lat, K, index, (uint32_t)(4 * q + (size_t)j), GV_RNG_LATTICE, out + 4 * j);
}

/* Word of padded site p in realisation `index`. */
static inline uint32_t lt_site_word(const gv_lattice *lat, const lt_keys *K, uint64_t index, size_t p) {
  uint32_t o[4];
  lt_block(lat, K, index, (uint32_t)(p / 4), GV_RNG_LATTICE, o);
  return o[p % 4];
}

/* u of site p in double (exact: at most 48 significant bits). */
static double lt_uniform(const gv_lattice *lat, const lt_keys *K, uint64_t index, size_t p, uint32_t x) {
  if (x >= 65536u) return ((double)x + 0.5) * 0x1.0p-32;
  uint32_t o[4];
  lt_block(lat, K, index, (uint32_t)(p / 4), GV_RNG_LATTICE | LT_EXT_BIT, o);
  return ((double)x * 4294967296.0 + (double)o[p % 4] + 0.5) * 0x1.0p-64;
}

/* t = u^-0.4 for a word x < 2^16 (the rare refined path, shared by all kernels). */
static float lt_t_refined(const gv_lattice *lat, const lt_keys *K, uint64_t index, size_t p, uint32_t x) {
  return (float)pow(lt_uniform(lat, K, index, p, x), -0.4);
}

/* t = u^-0.4 for x >= 2^16, single precision; the AVX-512 kernel does the same
 * operations lane by lane. */
static inline float lt_t_main(uint32_t x) {
  float v = (float)x + 0.5f;
  uint32_t b;
  memcpy(&b, &v, sizeof b);
  int k = 159 - (int)(b >> 23); /* 32 - unbiased exponent, in [0, 16] */
  int j = (int)(b >> 19 & 15); /* the interval: top 4 bits of the mantissa */
  uint32_t mb = (b & 0x0007ffffu) | 0x3f800000u; /* 1 + the remaining bits */
  float m;
  memcpy(&m, &mb, sizeof m);
  float z = m - 1.03125f, p = lt_coef[0][j];
  for (int i = 1; i < 4; i++) p = fmaf(p, z, lt_coef[i][j]);
  return p * lt_tab[k];
}

float gv_lattice_t_of_word(uint32_t x) { return x >= 65536u ? lt_t_main(x) : NAN; }

double gv_lattice_kappa_one(const gv_lattice *lat, uint64_t seed, uint64_t index, double *pa, double *pb) {
  lt_keys K;
  lt_keys_init(&K, seed);
  double a = 0, b = 0;
  for (size_t p = 0; p < lat->sites; p++) {
    double t = pow(lt_uniform(lat, &K, index, p, lt_site_word(lat, &K, index, p)), -0.4);
    a += lat->W[p] * t;
    b += lat->W[p] * t * t;
  }
  if (pa) *pa = a;
  if (pb) *pb = b;
  return a / b;
}

int gv_lattice_omega(const gv_lattice *lat, uint64_t seed, uint64_t index, double *omega) {
  if (!lat || !omega) return GV_ERROR(GV_EINVAL, "lattice: NULL argument");
  lt_keys K;
  lt_keys_init(&K, seed);
  for (size_t p = 0; p < lat->sites; p++) omega[p] = pow(lt_uniform(lat, &K, index, p, lt_site_word(lat, &K, index, p)), 0.2);
  return GV_OK;
}

/* Final reduction shared by the kernels: lanes summed in order. */
static inline double lt_reduce(const double lo[8], const double hi[8]) {
  double s = 0;
  for (int j = 0; j < 8; j++) s += lo[j] + hi[j];
  return s;
}

/* ---- portable kernel (the definition the AVX-512 kernel reproduces bitwise) ----
 * Cloned for x86-64-v3 so that fmaf/fma become instructions (not libm calls) on
 * AVX2 machines; the explicit fused operations keep every clone bitwise equal. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
static double kappa_portable(const gv_lattice *lat, const lt_keys *K, uint64_t index) {
  double a[LT_ROW] = {0}, b[LT_ROW] = {0};
  for (size_t q0 = 0; q0 < lat->padded / LT_ROW; q0 += LT_ROWS) {
    float af[LT_ROW] = {0}, bf[LT_ROW] = {0};
    for (size_t q = q0; q < q0 + LT_ROWS; q++) {
      uint32_t x[LT_ROW];
      lt_row(lat, K, index, q, x);
      const float *w = lat->Wf + LT_ROW * q;
      for (int i = 0; i < LT_ROW; i++) {
        float t = x[i] >= 65536u ? lt_t_main(x[i]) : lt_t_refined(lat, K, index, LT_ROW * q + i, x[i]);
        af[i] = fmaf(w[i], t, af[i]);
        bf[i] = fmaf(w[i] * t, t, bf[i]);
      }
    }
    for (int i = 0; i < LT_ROW; i++) {
      a[i] += af[i];
      b[i] += bf[i];
    }
  }
  return lt_reduce(a, a + 8) / lt_reduce(b, b + 8);
}

/* ---- AVX-512 + VAES kernel: 8 rows of 4 ARS blocks, 16 powers per row, 2 x 8 double accumulators ---- */
#if defined(__x86_64__) && defined(__GNUC__)
#define LT_AVX512 __attribute__((target("avx512f,vaes")))

/* t for 4 rows, their Horner chains interleaved (one row's chain of dependent FMAs
 * alone would leave the FMA pipes idle; 8 rows would spill registers); lane by lane
 * the same operations as lt_t_main. */
#define LT_HALF (LT_ROWS / 2)
LT_AVX512 static inline void t16x4(const __m512i *x, __m512 *t, __m512 tlo, __m512 thi, const __m512 coef[4]) {
  __m512 z[LT_HALF];
  __m512i k[LT_HALF], j[LT_HALF];
  for (int c = 0; c < LT_HALF; c++) {
    __m512 v = _mm512_add_ps(_mm512_cvtepu32_ps(x[c]), _mm512_set1_ps(0.5f));
    __m512i b = _mm512_castps_si512(v);
    k[c] = _mm512_sub_epi32(_mm512_set1_epi32(159), _mm512_srli_epi32(b, 23));
    j[c] = _mm512_srli_epi32(b, 19); /* the permutes read its low 4 bits: the interval */
    __m512 m = _mm512_castsi512_ps(_mm512_ternarylogic_epi32(b, _mm512_set1_epi32(0x0007ffff),
                                                             _mm512_set1_epi32(0x3f800000), 0xEA)); /* (b&M)|O */
    z[c] = _mm512_sub_ps(m, _mm512_set1_ps(1.03125f));
    t[c] = _mm512_permutexvar_ps(j[c], coef[0]);
  }
  for (int i = 1; i < 4; i++)
    for (int c = 0; c < LT_HALF; c++) t[c] = _mm512_fmadd_ps(t[c], z[c], _mm512_permutexvar_ps(j[c], coef[i]));
  for (int c = 0; c < LT_HALF; c++) t[c] = _mm512_mul_ps(t[c], _mm512_permutex2var_ps(tlo, k[c], thi));
}

/* The rare lanes (word < 2^16) of a group: t from the refined u (out of line: the
 * hot loop keeps its registers). */
__attribute__((noinline, cold)) static void lt_refine_group(const gv_lattice *lat, const lt_keys *K, uint64_t index,
                                                           size_t p0, const uint32_t *x, float *t) {
  for (int i = 0; i < LT_PAD; i++)
    if (x[i] < 65536u) t[i] = lt_t_refined(lat, K, index, p0 + (size_t)i, x[i]);
}

/* upper 8 floats of a 16-float register */
LT_AVX512 static inline __m256 lt_hi256(__m512 v) {
  return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
}

LT_AVX512 static double kappa_avx512(const gv_lattice *lat, const lt_keys *K, uint64_t index) {
  __m512i rk[8];
  for (int r = 0; r < 8; r++) rk[r] = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)K->rk[r]));
  const int lo = (int)(uint32_t)index, hi = (int)(uint32_t)(index >> 32), tag = GV_RNG_LATTICE;
  const __m512i ctr0 = _mm512_setr_epi32(0, lo, hi, tag, 1, lo, hi, tag, 2, lo, hi, tag, 3, lo, hi, tag);
  const __m512i lim = _mm512_set1_epi32(65536);
  const __m512 tlo = _mm512_loadu_ps(lt_tab), thi = _mm512_loadu_ps(lt_tab + 16);
  const __m512 coef[4] = {_mm512_loadu_ps(lt_coef[0]), _mm512_loadu_ps(lt_coef[1]), _mm512_loadu_ps(lt_coef[2]),
                          _mm512_loadu_ps(lt_coef[3])};
  __m512d alo = _mm512_setzero_pd(), ahi = alo, blo = alo, bhi = alo;
  for (size_t q0 = 0; q0 < lat->padded / LT_ROW; q0 += LT_ROWS) {
    __m512i x[LT_ROWS];
    __m512 af = _mm512_setzero_ps(), bf = af;
    for (int c = 0; c < LT_ROWS; c++) /* row q: blocks 4 q .. 4 q + 3 (block index in word 0 of each lane) */
      x[c] = _mm512_xor_si512(_mm512_add_epi32(ctr0, _mm512_maskz_set1_epi32(0x1111, (int)(4 * (q0 + c)))), rk[0]);
    for (int r = 1; r < 7; r++)
      for (int c = 0; c < LT_ROWS; c++) x[c] = _mm512_aesenc_epi128(x[c], rk[r]);
    for (int c = 0; c < LT_ROWS; c++) x[c] = _mm512_aesenclast_epi128(x[c], rk[7]);
    __m512 t[LT_ROWS];
    t16x4(x, t, tlo, thi, coef);
    t16x4(x + LT_HALF, t + LT_HALF, tlo, thi, coef);
    __mmask16 rare = 0;
    for (int c = 0; c < LT_ROWS; c++) rare |= _mm512_cmplt_epu32_mask(x[c], lim);
    if (rare) { /* u < 2^-16 somewhere in the group (probability 2e-3) */
      uint32_t xx[LT_PAD];
      float tt[LT_PAD];
      for (int c = 0; c < LT_ROWS; c++) {
        _mm512_storeu_si512(xx + LT_ROW * c, x[c]);
        _mm512_storeu_ps(tt + LT_ROW * c, t[c]);
      }
      lt_refine_group(lat, K, index, LT_ROW * q0, xx, tt);
      for (int c = 0; c < LT_ROWS; c++) t[c] = _mm512_loadu_ps(tt + LT_ROW * c);
    }
    for (int c = 0; c < LT_ROWS; c++) {
      __m512 w = _mm512_load_ps(lat->Wf + LT_ROW * (q0 + c));
      af = _mm512_fmadd_ps(w, t[c], af);
      bf = _mm512_fmadd_ps(_mm512_mul_ps(w, t[c]), t[c], bf);
    }
    alo = _mm512_add_pd(alo, _mm512_cvtps_pd(_mm512_castps512_ps256(af)));
    ahi = _mm512_add_pd(ahi, _mm512_cvtps_pd(lt_hi256(af)));
    blo = _mm512_add_pd(blo, _mm512_cvtps_pd(_mm512_castps512_ps256(bf)));
    bhi = _mm512_add_pd(bhi, _mm512_cvtps_pd(lt_hi256(bf)));
  }
  double al[8], ah[8], bl[8], bh[8];
  _mm512_storeu_pd(al, alo);
  _mm512_storeu_pd(ah, ahi);
  _mm512_storeu_pd(bl, blo);
  _mm512_storeu_pd(bh, bhi);
  return lt_reduce(al, ah) / lt_reduce(bl, bh);
}
#endif

static double kappa_fast(const gv_lattice *lat, const lt_keys *K, uint64_t index) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (lat->kernel == GV_LATTICE_KERNEL_AVX512) return kappa_avx512(lat, K, index);
#endif
  return kappa_portable(lat, K, index);
}

int gv_lattice_sample(const gv_lattice *lat, uint64_t seed, uint64_t first, size_t count, double *kappa) {
  if (!lat || (count && !kappa)) return GV_ERROR(GV_EINVAL, "lattice: NULL argument");
  lt_keys K;
  lt_keys_init(&K, seed);
  int stop = 0;
#pragma omp parallel for schedule(dynamic, 16)
  for (size_t k = 0; k < count; k++) {
    int s;
#pragma omp atomic read
    s = stop;
    if (s) continue;
    if ((k & 15) == 0 && gv_interrupted()) {
#pragma omp atomic write
      stop = 1;
      continue;
    }
    kappa[k] = kappa_fast(lat, &K, first + k);
  }
  if (stop) return GV_ERROR(GV_EINTERRUPTED, "lattice: interrupted");
  return GV_OK;
}
