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
 * omega^-4 = t^2: one power per site. Realisation k of seed s uses Philox4x32-10
 * (Salmon et al., SC11; Random123) with key = splitmix64(s) and counter
 * (block, k_lo32, k_hi32, GV_RNG_LATTICE); site p takes 32-bit word l of block B:
 *   p = 64 g + 16 l + i  <->  B = 16 g + i   (g = group of 64 sites, i = lane),
 * so one call of the 16-lane generator fills 64 sites. The realisation is thus a
 * pure function of (seed, k, d, L): independent of threads, chunks and ISA.
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
 * degree-9 polynomial for m^-0.4 (Chebyshev fit) and a 17-entry table; for x < 2^16,
 * t = (float) pow(u, -0.4) in double. a and b are accumulated in double in a
 * fixed order (8 lanes x 2, then the lanes in order), and every multiply-add is an
 * explicit fused one, so the AVX-512 kernel and the portable kernel give bitwise
 * identical kappa (tested). The reference path gv_lattice_kappa_one uses the
 * same words, libm pow in double and a plain serial sum (agreement 1.1e-7). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <Random123/philox.h>

#include "glassvib/models.h"

#define LT_GROUP 64 /* sites per call of the 16-lane generator */
#define LT_PAD 128  /* the AVX-512 kernel runs two groups at once (latency hiding) */

struct gv_lattice {
  int dim, L;
  size_t sites, padded;
  double *W; /* padded weights: W[0] = 1 (centre), W[1..S-1] = r^-2d, then 0 */
  int kernel; /* GV_LATTICE_KERNEL_* actually used */
};

/* 2^(0.4 k) rounded to float, k = 0 .. 16, then padding (index never exceeds 16). */
static const float lt_tab[32] = {
    0x1.000000p+0f, 0x1.51cb46p+0f, 0x1.bdb8cep+0f, 0x1.261118p+1f, 0x1.840600p+1f, 0x1.000000p+2f,
    0x1.51cb46p+2f, 0x1.bdb8cep+2f, 0x1.261118p+3f, 0x1.840600p+3f, 0x1.000000p+4f, 0x1.51cb46p+4f,
    0x1.bdb8cep+4f, 0x1.261118p+5f, 0x1.840600p+5f, 0x1.000000p+6f, 0x1.51cb46p+6f, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1};
/* m^-0.4 on [1, 2] as a polynomial in z = m - 3/2 (relative-weight Chebyshev fit,
 * max relative error 1.6e-8 before float rounding), highest degree first. */
static const float lt_poly[10] = {-0x1.b9fcb8p-9f, 0x1.60aea8p-8f, -0x1.b6e31cp-8f, 0x1.68b20ap-7f,
                                  -0x1.339ee4p-6f, 0x1.062570p-5f, -0x1.ce4cd8p-5f, 0x1.b16852p-4f,
                                  -0x1.d05e2ep-3f, 0x1.b3584cp-1f};
#define LT_EXT_BIT 0x80000000u

void gv_lattice_destroy(gv_lattice **lat) {
  if (!lat || !*lat) return;
  free((*lat)->W);
  free(*lat);
  *lat = NULL;
}

size_t gv_lattice_sites(const gv_lattice *lat) { return lat->sites; }
int gv_lattice_dim(const gv_lattice *lat) { return lat->dim; }
int gv_lattice_side(const gv_lattice *lat) { return lat->L; }
const double *gv_lattice_weights(const gv_lattice *lat) { return lat->W + 1; }

static int have_avx512(void) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
  return 0;
#endif
}

int gv_lattice_set_kernel(gv_lattice *lat, int kernel) {
  if (!lat) return GV_ERROR(GV_EINVAL, "lattice: NULL");
  if (kernel == GV_LATTICE_KERNEL_AUTO) kernel = have_avx512() ? GV_LATTICE_KERNEL_AVX512 : GV_LATTICE_KERNEL_PORTABLE;
  if (kernel == GV_LATTICE_KERNEL_AVX512 && !have_avx512())
    return GV_ERROR(GV_ENOTSUP, "lattice: this CPU has no AVX-512F");
  if (kernel != GV_LATTICE_KERNEL_AVX512 && kernel != GV_LATTICE_KERNEL_PORTABLE)
    return GV_ERROR(GV_EINVAL, "lattice: unknown kernel %d", kernel);
  lat->kernel = kernel;
  return GV_OK;
}
int gv_lattice_kernel(const gv_lattice *lat) { return lat->kernel; }

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
  /* block indices are 32-bit: 16 * (P / 64) < 2^32 */
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
  status = gv_lattice_set_kernel(lat, GV_LATTICE_KERNEL_AUTO);
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
  status = gv_lattice_set_kernel(lat, GV_LATTICE_KERNEL_AUTO);
  if (status < 0) goto cleanup;
  *out = lat;
  lat = NULL;
cleanup:
  gv_lattice_destroy(&lat);
  return status;
}

/* ---- the stream ---- */
static uint64_t lt_key(uint64_t seed) { /* splitmix64 finaliser: decorrelates nearby seeds */
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline uint32_t lt_word(uint64_t key, uint64_t index, uint32_t block, uint32_t tag, int l) {
  philox4x32_ctr_t c = {{block, (uint32_t)index, (uint32_t)(index >> 32), tag}};
  philox4x32_key_t k = {{(uint32_t)key, (uint32_t)(key >> 32)}};
  return philox4x32(c, k).v[l];
}

/* Word of padded site p in realisation `index`. */
static inline uint32_t lt_site_word(uint64_t key, uint64_t index, size_t p) {
  size_t g = p / LT_GROUP, r = p % LT_GROUP;
  return lt_word(key, index, (uint32_t)(16 * g + r % 16), GV_RNG_LATTICE, (int)(r / 16));
}

/* u of site p in double (exact: at most 48 significant bits). */
static double lt_uniform(uint64_t key, uint64_t index, size_t p, uint32_t x) {
  if (x >= 65536u) return ((double)x + 0.5) * 0x1.0p-32;
  uint32_t y = lt_word(key, index, (uint32_t)(p / 4), GV_RNG_LATTICE | LT_EXT_BIT, (int)(p % 4));
  return ((double)x * 4294967296.0 + (double)y + 0.5) * 0x1.0p-64;
}

/* t = u^-0.4 for a word x < 2^16 (the rare refined path, shared by all kernels). */
static float lt_t_refined(uint64_t key, uint64_t index, size_t p, uint32_t x) {
  return (float)pow(lt_uniform(key, index, p, x), -0.4);
}

/* t = u^-0.4 for x >= 2^16, single precision; the AVX-512 kernel does the same
 * operations lane by lane. */
static inline float lt_t_main(uint32_t x) {
  float v = (float)x + 0.5f;
  uint32_t b;
  memcpy(&b, &v, sizeof b);
  int k = 159 - (int)(b >> 23); /* 32 - unbiased exponent, in [0, 16] */
  uint32_t mb = (b & 0x007fffffu) | 0x3f800000u;
  float m;
  memcpy(&m, &mb, sizeof m);
  float z = m - 1.5f, p = lt_poly[0];
  for (int i = 1; i < 10; i++) p = fmaf(p, z, lt_poly[i]);
  return p * lt_tab[k];
}

float gv_lattice_t_of_word(uint32_t x) { return x >= 65536u ? lt_t_main(x) : NAN; }

double gv_lattice_kappa_one(const gv_lattice *lat, uint64_t seed, uint64_t index, double *pa, double *pb) {
  const uint64_t key = lt_key(seed);
  double a = 0, b = 0;
  for (size_t p = 0; p < lat->sites; p++) {
    double t = pow(lt_uniform(key, index, p, lt_site_word(key, index, p)), -0.4);
    a += lat->W[p] * t;
    b += lat->W[p] * t * t;
  }
  if (pa) *pa = a;
  if (pb) *pb = b;
  return a / b;
}

int gv_lattice_omega(const gv_lattice *lat, uint64_t seed, uint64_t index, double *omega) {
  if (!lat || !omega) return GV_ERROR(GV_EINVAL, "lattice: NULL argument");
  const uint64_t key = lt_key(seed);
  for (size_t p = 0; p < lat->sites; p++) omega[p] = pow(lt_uniform(key, index, p, lt_site_word(key, index, p)), 0.2);
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
static double kappa_portable(const gv_lattice *lat, uint64_t key, uint64_t index) {
  double alo[8] = {0}, ahi[8] = {0}, blo[8] = {0}, bhi[8] = {0};
  philox4x32_key_t k = {{(uint32_t)key, (uint32_t)(key >> 32)}};
  for (size_t g = 0; g < lat->padded / LT_GROUP; g++) {
    uint32_t x[4][16];
    for (int i = 0; i < 16; i++) {
      philox4x32_ctr_t c = {{(uint32_t)(16 * g + i), (uint32_t)index, (uint32_t)(index >> 32), GV_RNG_LATTICE}};
      philox4x32_ctr_t o = philox4x32(c, k);
      for (int l = 0; l < 4; l++) x[l][i] = o.v[l];
    }
    for (int l = 0; l < 4; l++) {
      const double *w = lat->W + LT_GROUP * g + 16 * l;
      for (int i = 0; i < 16; i++) {
        size_t p = LT_GROUP * g + 16 * l + i;
        float tf = x[l][i] >= 65536u ? lt_t_main(x[l][i]) : lt_t_refined(key, index, p, x[l][i]);
        double t = tf, wt = w[i] * t;
        double *A = i < 8 ? &alo[i] : &ahi[i - 8], *B = i < 8 ? &blo[i] : &bhi[i - 8];
        *A = fma(w[i], t, *A);
        *B = fma(wt, t, *B);
      }
    }
  }
  return lt_reduce(alo, ahi) / lt_reduce(blo, bhi);
}

/* ---- AVX-512 kernel: 16 Philox lanes, 16 powers and 2 x 8 double accumulators ---- */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LT_AVX512 __attribute__((target("avx512f")))

/* hi and lo 32-bit halves of a * m for 16 lanes (m holds the multiplier in every lane) */
LT_AVX512 static inline void mulhilo16(__m512i a, __m512i m, __m512i *hi, __m512i *lo) {
  __m512i pe = _mm512_mul_epu32(a, m);                        /* lanes 0, 2, ..: 64-bit products */
  __m512i po = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m); /* lanes 1, 3, .. */
  *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(pe, 32), po);
  *lo = _mm512_mullo_epi32(a, m);
}

LT_AVX512 static inline __m512 t16(__m512i x, __m512 tlo, __m512 thi) {
  __m512 v = _mm512_add_ps(_mm512_cvtepu32_ps(x), _mm512_set1_ps(0.5f));
  __m512i b = _mm512_castps_si512(v);
  __m512i k = _mm512_sub_epi32(_mm512_set1_epi32(159), _mm512_srli_epi32(b, 23));
  __m512 m = _mm512_castsi512_ps(_mm512_ternarylogic_epi32(b, _mm512_set1_epi32(0x007fffff),
                                                           _mm512_set1_epi32(0x3f800000), 0xEA)); /* (b&M)|O */
  __m512 z = _mm512_sub_ps(m, _mm512_set1_ps(1.5f));
  __m512 p = _mm512_set1_ps(lt_poly[0]);
  for (int i = 1; i < 10; i++) p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(lt_poly[i]));
  return _mm512_mul_ps(p, _mm512_permutex2var_ps(tlo, k, thi));
}

LT_AVX512 static double kappa_avx512(const gv_lattice *lat, uint64_t key, uint64_t index) {
  const uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
  __m512i rk0[10], rk1[10];
  for (int r = 0; r < 10; r++) { /* Philox key schedule, Weyl increments */
    rk0[r] = _mm512_set1_epi32((int)(k0 + (uint32_t)r * 0x9E3779B9u));
    rk1[r] = _mm512_set1_epi32((int)(k1 + (uint32_t)r * 0xBB67AE85u));
  }
  const __m512i m0 = _mm512_set1_epi32((int)0xD2511F53u), m1 = _mm512_set1_epi32((int)0xCD9E8D57u);
  const __m512i c1 = _mm512_set1_epi32((int)(uint32_t)index), c2 = _mm512_set1_epi32((int)(uint32_t)(index >> 32));
  const __m512i c3 = _mm512_set1_epi32(GV_RNG_LATTICE), lim = _mm512_set1_epi32(65536);
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512 tlo = _mm512_loadu_ps(lt_tab), thi = _mm512_loadu_ps(lt_tab + 16);
  __m512d alo = _mm512_setzero_pd(), ahi = alo, blo = alo, bhi = alo;
  for (size_t g = 0; g < lat->padded / LT_GROUP; g += 2) {
    /* groups g and g + 1 interleaved: two independent Philox chains per round */
    __m512i x[8];
    x[0] = _mm512_add_epi32(iota, _mm512_set1_epi32((int)(uint32_t)(16 * g)));
    x[4] = _mm512_add_epi32(iota, _mm512_set1_epi32((int)(uint32_t)(16 * g + 16)));
    x[1] = x[5] = c1;
    x[2] = x[6] = c2;
    x[3] = x[7] = c3;
    for (int r = 0; r < 10; r++) {
      for (int h = 0; h < 8; h += 4) {
        __m512i h0, l0, h1, l1;
        mulhilo16(x[h], m0, &h0, &l0);
        mulhilo16(x[h + 2], m1, &h1, &l1);
        x[h] = _mm512_ternarylogic_epi32(h1, x[h + 1], rk0[r], 0x96); /* three-way xor */
        x[h + 2] = _mm512_ternarylogic_epi32(h0, x[h + 3], rk1[r], 0x96);
        x[h + 1] = l1;
        x[h + 3] = l0;
      }
    }
    const double *w = lat->W + LT_GROUP * g;
    for (int l = 0; l < 8; l++, w += 16) { /* l = 4 (g - g0) + word */
      __m512 t = t16(x[l], tlo, thi);
      __mmask16 rare = _mm512_cmplt_epu32_mask(x[l], lim);
      if (rare) { /* u < 2^-16 in some lane: refine those lanes (probability 2.4e-4) */
        float tt[16];
        uint32_t xx[16];
        _mm512_storeu_ps(tt, t);
        _mm512_storeu_si512(xx, x[l]);
        for (int i = 0; i < 16; i++)
          if (rare >> i & 1) tt[i] = lt_t_refined(key, index, LT_GROUP * g + 16 * (size_t)l + i, xx[i]);
        t = _mm512_loadu_ps(tt);
      }
      __m512d tl = _mm512_cvtps_pd(_mm512_castps512_ps256(t));
      __m512d th = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(t), 1)));
      __m512d wl = _mm512_load_pd(w), wh = _mm512_load_pd(w + 8);
      alo = _mm512_fmadd_pd(wl, tl, alo);
      ahi = _mm512_fmadd_pd(wh, th, ahi);
      blo = _mm512_fmadd_pd(_mm512_mul_pd(wl, tl), tl, blo);
      bhi = _mm512_fmadd_pd(_mm512_mul_pd(wh, th), th, bhi);
    }
  }
  double al[8], ah[8], bl[8], bh[8];
  _mm512_storeu_pd(al, alo);
  _mm512_storeu_pd(ah, ahi);
  _mm512_storeu_pd(bl, blo);
  _mm512_storeu_pd(bh, bhi);
  return lt_reduce(al, ah) / lt_reduce(bl, bh);
}
#endif

static double kappa_fast(const gv_lattice *lat, uint64_t key, uint64_t index) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (lat->kernel == GV_LATTICE_KERNEL_AVX512) return kappa_avx512(lat, key, index);
#endif
  return kappa_portable(lat, key, index);
}

int gv_lattice_sample(const gv_lattice *lat, uint64_t seed, uint64_t first, size_t count, double *kappa) {
  if (!lat || (count && !kappa)) return GV_ERROR(GV_EINVAL, "lattice: NULL argument");
  const uint64_t key = lt_key(seed);
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
    kappa[k] = kappa_fast(lat, key, first + k);
  }
  if (stop) return GV_ERROR(GV_EINTERRUPTED, "lattice: interrupted");
  return GV_OK;
}
