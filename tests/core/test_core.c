/* Core services: RNG streams (reproducible, independent of creation order,
 * correct moments), atomic output files, JSON writer, TSV reader. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testlib.h"

static void test_rng(void) {
  gv_rng a, b;
  gv_rng_init(&a, 7, 3, GV_RNG_THERMOSTAT);
  gv_rng_init(&b, 7, 4, GV_RNG_THERMOSTAT);
  uint64_t xa = gv_rng_u64(&a), xb = gv_rng_u64(&b);
  CHECK(xa != xb, "different samples must give different streams");
  gv_rng_init(&b, 7, 3, GV_RNG_THERMOSTAT);
  CHECK(gv_rng_u64(&b) == xa, "same (seed, sample, purpose) must repeat");
  gv_rng_init(&b, 7, 3, GV_RNG_POSITIONS);
  CHECK(gv_rng_u64(&b) != xa, "different purposes must differ");
  /* Moments of 10^6 uniforms and normals: mean within 5 sigma. */
  const int n = 1000000;
  double s1 = 0, s2 = 0, g1 = 0, g2 = 0, g4 = 0;
  gv_rng_init(&a, 2385, 0, GV_RNG_ANALYSIS);
  for (int i = 0; i < n; i++) {
    double u = gv_rng_uniform(&a), g = gv_rng_normal(&a);
    CHECK(u > 0 && u < 1, "uniform out of (0,1): %g", u);
    s1 += u;
    s2 += u * u;
    g1 += g;
    g2 += g * g;
    g4 += g * g * g * g;
  }
  CHECK_CLOSE(s1 / n, 0.5, 0, 5 * sqrt(1.0 / 12 / n));
  CHECK_CLOSE(s2 / n, 1.0 / 3, 0, 5 * sqrt(4.0 / 45 / n));
  CHECK_CLOSE(g1 / n, 0.0, 0, 5 / sqrt((double)n));
  CHECK_CLOSE(g2 / n, 1.0, 0, 5 * sqrt(2.0 / n));
  CHECK_CLOSE(g4 / n, 3.0, 0, 5 * sqrt(96.0 / n));
  /* Seeking: block k of a stream equals the k-th draw sequence position. */
  gv_rng_init(&a, 11, 0, GV_RNG_LATTICE);
  gv_rng_seek(&a, 0, 5);
  uint64_t y = gv_rng_u64(&a);
  gv_rng_init(&b, 11, 0, GV_RNG_LATTICE);
  gv_rng_seek(&b, 0, 5);
  CHECK(gv_rng_u64(&b) == y, "seek must be reproducible");
  /* Unbiased integers: chi-square over 7 bins. */
  long counts[7] = {0};
  for (int i = 0; i < 70000; i++) counts[gv_rng_below(&a, 7)]++;
  double chi2 = 0;
  for (int k = 0; k < 7; k++) chi2 += (counts[k] - 10000.0) * (counts[k] - 10000.0) / 10000.0;
  CHECK(chi2 < 22.5, "chi2 = %g for 6 dof (p < 0.001)", chi2);
}

static void test_outfile(void) {
  char path[512];
  snprintf(path, sizeof path, "%s/out.txt", tl_tmpdir());
  gv_outfile f;
  CHECK_OK(gv_outfile_open(&f, path));
  fprintf(f.fp, "hello\n");
  struct stat st;
  CHECK(stat(path, &st) != 0, "final name must not exist before commit");
  CHECK_OK(gv_outfile_commit(&f));
  CHECK(stat(path, &st) == 0, "final name must exist after commit");
  /* Aborted output leaves nothing. */
  snprintf(path, sizeof path, "%s/aborted.txt", tl_tmpdir());
  CHECK_OK(gv_outfile_open(&f, path));
  char tmp[600];
  snprintf(tmp, sizeof tmp, "%s", f.tmp_path);
  gv_outfile_abort(&f);
  CHECK(stat(path, &st) != 0 && stat(tmp, &st) != 0, "abort must leave no file");
  /* Unwritable destination is refused up front. */
  CHECK(gv_outfile_open(&f, "/nonexistent-dir/x.txt") == GV_EIO, "missing directory must fail");
  CHECK(strstr(gv_error_message(), "does not exist") != NULL, "message: %s", gv_error_message());
}

static void test_tsv_and_lists(void) {
  char path[512];
  snprintf(path, sizeof path, "%s/t.tsv", tl_tmpdir());
  gv_outfile f;
  CHECK_OK(gv_outfile_open(&f, path));
  const char *cols[] = {"a", "b"};
  gv_tsv_header(f.fp, "test", "line one\nline two", cols, 2);
  fprintf(f.fp, "1 2.5\n3\t-4e-3\n");
  CHECK_OK(gv_outfile_commit(&f));
  double *d;
  size_t nr, nc;
  CHECK_OK(gv_tsv_read(path, &d, &nr, &nc));
  CHECK(nr == 2 && nc == 2, "rows %zu cols %zu", nr, nc);
  CHECK_CLOSE(d[3], -4e-3, 1e-15, 0);
  free(d);
  double *v;
  size_t n;
  CHECK_OK(gv_parse_double_list("0.5,1,2e1", &v, &n));
  CHECK(n == 3 && v[2] == 20.0, "parsed list");
  free(v);
  CHECK(gv_parse_double_list("0.5,,x", &v, &n) == GV_EINVAL, "bad list must fail");
}

static void test_h5(void) {
  char path[512];
  snprintf(path, sizeof path, "%s/t.h5", tl_tmpdir());
  gv_h5 *h;
  CHECK_OK(gv_h5_create(&h, path));
  double x[6] = {1, 2, 3, 4, 5, 6.25};
  size_t dims[2] = {3, 2};
  CHECK_OK(gv_h5_write_doubles(h, "/particles/positions", x, 2, dims));
  CHECK_OK(gv_h5_set_double(h, "/state", "energy", -2.385));
  CHECK_OK(gv_h5_set_string(h, "/model", "name", "ipl"));
  CHECK_OK(gv_h5_write_provenance(h, "test", 42));
  CHECK_OK(gv_h5_close(&h, 1));
  CHECK_OK(gv_h5_open(&h, path));
  double *y;
  int rank;
  size_t d2[4];
  CHECK_OK(gv_h5_read_doubles(h, "/particles/positions", &y, &rank, d2));
  CHECK(rank == 2 && d2[0] == 3 && d2[1] == 2 && y[5] == 6.25, "round trip");
  free(y);
  double e;
  CHECK_OK(gv_h5_get_double(h, "/state", "energy", &e));
  CHECK(e == -2.385, "attribute round trip");
  char name[32];
  CHECK_OK(gv_h5_get_string(h, "/model", "name", name, sizeof name));
  CHECK(strcmp(name, "ipl") == 0, "string attribute: %s", name);
  CHECK(gv_h5_get_double(h, "/state", "missing", &e) == GV_EFORMAT, "missing attribute");
  CHECK_OK(gv_h5_close(&h, 0));
  /* A truncated file is reported as corrupt, not crashed on. */
  char bad[512];
  snprintf(bad, sizeof bad, "%s/bad.h5", tl_tmpdir());
  FILE *fp = fopen(bad, "w");
  fputs("not hdf5", fp);
  fclose(fp);
  CHECK(gv_h5_open(&h, bad) == GV_EFORMAT, "corrupt file must give GV_EFORMAT");
}

int main(void) {
  test_rng();
  test_outfile();
  test_tsv_and_lists();
  test_h5();
  return tl_finish();
}
