/* Ensemble drivers of khgps and lattice: the distributed/resumable path gives
 * bitwise the same samples as the models' own ensemble loops, resumes without
 * recomputation, and cleans up its run directory. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glassvib/ensemble_models.h"
#include "testlib.h"

int main(void) {
  gv_log_set_level(GV_LOG_QUIET);
  const char *tmp = tl_tmpdir();
  char out[4096], dir[4200];

  /* ---- KHGPS: N = 60, 7 samples (small N: one sample per thread) */
  gv_khgps_params p;
  gv_khgps_params_default(&p);
  p.n = 60;
  p.h = 0.012;
  p.J = 0.13;
  p.kappa0 = 1.1;
  p.seed = 5;
  const size_t M = 7;
  gv_khgps_sample ref[7], s[7];
  memset(ref, 0, sizeof ref);
  memset(s, 0, sizeof s);
  int rs = gv_khgps_ensemble_run(&p, 0, M, ref, NULL);
  CHECK(rs >= 0, "reference khgps ensemble: %s", gv_error_message());
  snprintf(out, sizeof out, "%s/k.h5", tmp);
  gv_ensemble_stats st;
  int es = gv_ensemble_khgps_run(&p, M, out, s, NULL, &st);
  CHECK(es == rs, "status %d, reference %d (%s)", es, rs, gv_error_message());
  CHECK(st.computed == (long)M, "computed %ld", st.computed);
  int same = 1;
  for (size_t k = 0; k < M; k++) {
    same &= s[k].n == ref[k].n && s[k].neig == ref[k].neig;
    same &= !memcmp(s[k].x, ref[k].x, p.n * sizeof(double)) && !memcmp(s[k].kappa, ref[k].kappa, p.n * sizeof(double));
    same &= !memcmp(s[k].eig, ref[k].eig, ref[k].neig * sizeof(double));
    same &= s[k].energy == ref[k].energy && s[k].cg_iter == ref[k].cg_iter && s[k].n_negative == ref[k].n_negative;
    gv_khgps_sample_free(&s[k]);
  }
  CHECK(same, "khgps ensemble driver differs from gv_khgps_ensemble_run");
  /* resume: nothing computed, same bits */
  es = gv_ensemble_khgps_run(&p, M, out, s, NULL, &st);
  CHECK(es == rs && st.resumed == (long)M && st.computed == 0, "resume: resumed %ld computed %ld", st.resumed,
        st.computed);
  same = 1;
  for (size_t k = 0; k < M; k++) {
    same &= !memcmp(s[k].eig, ref[k].eig, ref[k].neig * sizeof(double)) && s[k].energy == ref[k].energy;
    gv_khgps_sample_free(&s[k]);
  }
  CHECK(same, "resumed khgps samples differ");
  /* other parameters on the same output are refused */
  p.J = 0.14;
  es = gv_ensemble_khgps_run(&p, M, out, s, NULL, &st);
  CHECK(es == GV_EINVAL, "khgps with other J on the same run directory refused (%d)", es);
  p.J = 0.13;
  CHECK_OK(gv_ensemble_khgps_finish(&p, out));
  snprintf(dir, sizeof dir, "%s.parts", out);
  CHECK(access(dir, F_OK) != 0, "khgps run directory removed");
  for (size_t k = 0; k < M; k++) gv_khgps_sample_free(&ref[k]);

  /* ---- lattice: d = 2, L = 11, 1000 realisations in chunks of 64 */
  gv_lattice *lat = NULL;
  CHECK_OK(gv_lattice_create(&lat, 2, 11));
  const size_t n = 1000;
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  size_t resumed = 99;
  CHECK_OK(gv_lattice_run(lat, 77, n, 64, NULL, a, &resumed, NULL));
  snprintf(out, sizeof out, "%s/p.tsv", tmp);
  CHECK_OK(gv_ensemble_lattice_run(lat, 77, n, 64, out, b, &resumed, NULL, &st));
  CHECK(st.samples == 16 && st.computed == 16 && resumed == 0, "lattice: 16 chunks computed (%ld)", st.computed);
  CHECK(!memcmp(a, b, n * sizeof *a), "lattice ensemble driver differs from gv_lattice_run");
  memset(b, 0, n * sizeof *b);
  CHECK_OK(gv_ensemble_lattice_run(lat, 77, n, 64, out, b, &resumed, NULL, &st));
  CHECK(st.computed == 0 && resumed == n && !memcmp(a, b, n * sizeof *a), "lattice resume (resumed %zu)", resumed);
  CHECK(gv_ensemble_lattice_run(lat, 78, n, 64, out, b, &resumed, NULL, &st) == GV_EINVAL, "lattice other seed refused");
  CHECK_OK(gv_ensemble_lattice_finish(lat, 77, n, 64, out));
  snprintf(dir, sizeof dir, "%s.parts", out);
  CHECK(access(dir, F_OK) != 0, "lattice run directory removed");
  free(a);
  free(b);
  gv_lattice_destroy(&lat);
  return tl_finish();
}
