/* glassvib sqw: microscopic S_L(q,w), S_T(q,w) of a glass from its normal
 * modes (seed 000), q on the reciprocal lattice of the box. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/analysis.h"
#include "glassvib/glassvib.h"

int gv_cmd_sqw(int argc, char **argv) {
  int status = GV_OK, json = 0, quiet = 0, gaussian = 0, force = 0;
  long long threads = 0, dim = 0, nomega = 400, maxv = 48;
  double width = 0.05, wmax = 0, temp = 1.0, max_force = 1e-4;
  const char *out = NULL, *qs = NULL, *model = NULL;
  gv_arg args[] = {
      {"q", 0, GV_ARG_STRING, &qs, "Q1,Q2,...", "wavevector magnitudes [1/lambda] (nearest allowed shells are used)", GV_NO_RANGE, 1, 0},
      GV_ARG_OUT(&out, "write SQW.tsv"),
      {"width", 0, GV_ARG_DOUBLE, &width, "W", "line width: Lorentzian HWHM or Gaussian std (default 0.05)", 1e-12, 1e6, 0, 0},
      {"gaussian", 0, GV_ARG_FLAG, &gaussian, NULL, "Gaussian lines (default Lorentzian)", GV_NO_RANGE, 0, 0},
      {"omega-max", 0, GV_ARG_DOUBLE, &wmax, "W", "grid upper end (default 1.1 x highest mode)", 0, 1e9, 0, 0},
      {"nomega", 0, GV_ARG_INT, &nomega, "N", "grid points (default 400)", 2, 1e7, 0, 0},
      {"temperature", 0, GV_ARG_DOUBLE, &temp, "T", "temperature (S is proportional to T; default 1)", 1e-300, 1e300, 0, 0},
      {"max-vectors", 0, GV_ARG_INT, &maxv, "M", "wavevectors averaged per shell (default 48)", 1, 100000, 0, 0},
      {"force", 0, GV_ARG_FLAG, &force, NULL, "analyse a glass that is not at a force minimum", GV_NO_RANGE, 0, 0},
      {"max-force", 0, GV_ARG_DOUBLE, &max_force, "F", "inherent-state test (default 1e-4)", 0, 1e9, 0, 0},
      GV_ARG_INPUT_MODEL(&model),
      GV_ARG_INPUT_DIM(&dim),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"sqw", "GLASS.h5 [MODES.h5] --q Q1,Q2,... [-o SQW.tsv]",
                      "S_P(q,w) = (T q^2/N) sum_a |sum_i (e_P.psi_i^a) exp(i q.r_i)|^2 / Omega_a^2 "
                      "L(w - Omega_a), P = L (e = q/|q|) or T (averaged over d-1 polarisations), "
                      "averaged over the reciprocal-lattice shell nearest each |q|. Without MODES.h5 "
                      "all modes are computed (dense). MODES.h5 must hold eigenvectors (modes "
                      "--vectors). f-sum rule: int_0^inf w^2 S_P dw = T q^2 with all modes (minus "
                      "the translations' share), reported as sum_rule_L/T.",
                      1, 2};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  gv_glass g;
  gv_glass_init(&g);
  gv_hessian *H = NULL;
  gv_modes m;
  gv_sqw sq;
  memset(&m, 0, sizeof m);
  memset(&sq, 0, sizeof sq);
  double *q = NULL;
  size_t nq = 0;
  gv_outfile of = {0};
  status = gv_parse_double_list(qs, &q, &nq);
  if (status < 0 || nq == 0) {
    status = GV_ERROR(GV_EINVAL, "--q: expected a list of positive numbers, got '%s'", qs);
    goto cleanup;
  }
  if (out) GV_TRY(gv_check_writable(out));
  GV_TRY(gv_glass_read(pos[0], model, (int)dim, &g));
  if (npos > 1) {
    GV_TRY(gv_modes_read(pos[1], 1, &m));
  } else {
    GV_TRY(gv_analysis_check_inherent(&g, max_force, force));
    GV_TRY(gv_hessian_create(&H, &g.model, g.sys, 0.0));
    gv_eigopts o;
    gv_linalg_eigopts_default(&o);
    o.dim = g.sys->dim;
    GV_TRY(gv_modes_compute(H, g.sys, 0, &o, &m, NULL));
  }
  gv_sqw_opts so;
  gv_sqw_opts_default(&so);
  so.width = width;
  so.gaussian = gaussian;
  so.omega_max = wmax;
  so.nomega = (int)nomega;
  so.temperature = temp;
  so.max_vectors = (int)maxv;
  GV_TRY(gv_sqw_compute(g.sys, &m, q, (int)nq, &so, &sq));
  double *ruleL = calloc(nq, sizeof *ruleL), *ruleT = calloc(nq, sizeof *ruleT);
  for (size_t k = 0; k < nq && ruleL && ruleT; k++) {
    double tq2 = temp * sq.q[k] * sq.q[k];
    ruleL[k] = (sq.sum_L[k] + sq.trans_L[k]) / tq2;
    ruleT[k] = (sq.sum_T[k] + sq.trans_T[k]) / tq2;
  }
  if (out) {
    status = gv_outfile_open(&of, out);
    if (status < 0) { free(ruleL); free(ruleT); goto cleanup; }
    char comments[4096];
    int len = snprintf(comments, sizeof comments,
                       "modes %d (%s), width %g (%s), T %g\n"
                       "f-sum rule per q: (int w^2 S dw + translations) / (T q^2) = 1 with all modes",
                       m.k, m.complete ? "complete" : "partial: sum rules incomplete", width,
                       gaussian ? "gaussian std" : "lorentzian hwhm", temp);
    for (size_t k = 0; k < nq && len < (int)sizeof comments - 200; k++)
      len += snprintf(comments + len, sizeof comments - len, "\nq %.8g (requested %.8g, %d vectors): sum_rule_L %.10f sum_rule_T %.10f",
                      sq.q[k], sq.q_req[k], sq.nvec[k], ruleL ? ruleL[k] : NAN, ruleT ? ruleT[k] : NAN);
    const char *cols[] = {"q_requested[1/lambda]", "q[1/lambda]", "omega[sqrt(eps/m)/lambda]", "S_L", "S_T",
                          "C_L=w^2/q^2*S_L", "C_T=w^2/q^2*S_T"};
    gv_tsv_header(of.fp, "glassvib sqw: microscopic dynamic structure factors", comments, cols, 7);
    for (int k = 0; k < sq.nq; k++) {
      for (int w = 0; w < sq.nomega; w++) {
        double om = sq.omega[w], sl = sq.SL[k * sq.nomega + w], st = sq.ST[k * sq.nomega + w], q2 = sq.q[k] * sq.q[k];
        fprintf(of.fp, "%.8g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\n", sq.q_req[k], sq.q[k], om, sl, st,
                om * om / q2 * sl, om * om / q2 * st);
      }
      fputc('\n', of.fp);
    }
    status = gv_outfile_commit(&of);
    if (status < 0) { free(ruleL); free(ruleT); goto cleanup; }
  }
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_array_num(&j, "q", sq.q, nq);
    gv_json_array_num(&j, "q_requested", sq.q_req, nq);
    long long nv[256];
    for (size_t k = 0; k < nq && k < 256; k++) nv[k] = sq.nvec[k];
    gv_json_array_int(&j, "n_vectors", nv, nq < 256 ? nq : 256);
    gv_json_array_num(&j, "sum_rule_L", ruleL, nq);
    gv_json_array_num(&j, "sum_rule_T", ruleT, nq);
    gv_json_int(&j, "n_modes", m.k);
    gv_json_bool(&j, "complete", m.complete);
    gv_json_end(&j);
  }
  free(ruleL);
  free(ruleT);
cleanup:
  if (status < 0) gv_outfile_abort(&of);
  free(q);
  gv_sqw_free(&sq);
  gv_modes_free(&m);
  gv_hessian_destroy(&H);
  gv_glass_free(&g);
  return status < 0 ? gv_cli_fail("sqw", status) : 0;
}
