/* Building configurations: the size distribution of poly and poly-nbc is
 * p(l) ~ l^-3 on [l_min, l_max] (Kolmogorov-Smirnov and the exact mean),
 * binary compositions are exact, random liquids have the model density and
 * are reproducible from the seed. */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void test_sizes(const char *name) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, name, 3));
  const long n = 40000;
  gv_system *s = NULL;
  CHECK_OK(gv_system_create(&s, 3, n, 0, 0, 1));
  gv_rng r;
  gv_rng_init(&r, 2385, 0, GV_RNG_SIZES);
  CHECK_OK(gv_model_sample_sizes(&m, s, &r));
  double a = m.size_min, b = m.size_max, a2 = 1 / (a * a), b2 = 1 / (b * b);
  qsort(s->size, n, sizeof(double), cmp);
  double D = 0, mean = 0;
  for (long i = 0; i < n; i++) {
    double l = s->size[i];
    CHECK(l >= a && l <= b, "size %g outside [%g, %g]", l, a, b);
    double F = (a2 - 1 / (l * l)) / (a2 - b2);
    D = fmax(D, fmax(fabs(F - (double)i / n), fabs(F - (double)(i + 1) / n)));
    mean += l / n;
  }
  /* KS at the 0.1 % level: D < 1.95 / sqrt(n). */
  CHECK(D < 1.95 / sqrt((double)n), "%s: KS statistic %g too large", name, D);
  /* mean of p ~ l^-3: 2 / (1/a + 1/b); poly-nbc has mean 1 by construction */
  double mexp = 2 / (1 / a + 1 / b);
  double var = (2 * log(b / a) / (a2 - b2)) - mexp * mexp;
  CHECK_CLOSE(mean, mexp, 0, 5 * sqrt(var / n));
  if (!strcmp(name, "poly-nbc")) CHECK_CLOSE(mexp, 1.0, 1e-4, 0);
  printf("%s: KS D = %.4g (limit %.4g), mean %.5f (expected %.5f)\n", name, D, 1.95 / sqrt((double)n), mean, mexp);
  gv_system_destroy(&s);
}

static void test_types(void) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "kablj", 3));
  gv_system *s = NULL;
  CHECK_OK(gv_system_create(&s, 3, 1001, 0, 1, 0));
  gv_rng r;
  gv_rng_init(&r, 4, 0, GV_RNG_SIZES);
  CHECK_OK(gv_model_assign_types(&m, s, &r));
  long na = 0, first_half = 0;
  for (long i = 0; i < s->n; i++) {
    na += s->type[i] == 0;
    if (i < 500) first_half += s->type[i] == 0;
  }
  CHECK(na == 801, "kablj 80:20 of 1001 must give 801 A, got %ld", na);
  CHECK(first_half > 350 && first_half < 450, "types are shuffled (%ld A in the first half)", first_half);
  gv_system_destroy(&s);
}

static void test_random(void) {
  for (int d = 2; d <= 4; d++) {
    gv_model m;
    CHECK_OK(gv_model_init(&m, d == 3 ? "poly" : "ipl", d));
    gv_system *s = NULL, *t = NULL;
    CHECK_OK(gv_system_create_random(&s, &m, 2000, 77));
    CHECK_OK(gv_system_create_random(&t, &m, 2000, 77));
    CHECK_CLOSE(gv_system_density(s), m.density, 1e-12, 0);
    CHECK(memcmp(s->x, t->x, sizeof(double) * 2000 * d) == 0, "same seed, same positions");
    CHECK_OK(gv_model_check_system(&m, s));
    gv_system_destroy(&t);
    CHECK_OK(gv_system_create_random(&t, &m, 2000, 78));
    CHECK(memcmp(s->x, t->x, sizeof(double) * 2000 * d) != 0, "different seed, different positions");
    gv_system_destroy(&s);
    gv_system_destroy(&t);
  }
  gv_model m;
  gv_system *s = NULL;
  CHECK_OK(gv_model_init(&m, "ipl", 3));
  CHECK(gv_system_create_random(&s, &m, 1, 1) == GV_EINVAL, "N = 1 rejected");
  CHECK(gv_system_create_random(&s, &m, 20, 1) == GV_EINVAL, "box smaller than the cutoff rejected");
  m.density = -1;
  CHECK(gv_system_create_random(&s, &m, 2000, 1) == GV_EINVAL, "negative density rejected");
}

int main(void) {
  test_sizes("poly");
  test_sizes("poly-nbc");
  test_types();
  test_random();
  return tl_finish();
}
