/* KHGPS figures (seed 001): the partial averages <xbar*^2>(kappa) and their
 * collapse when both axes are rescaled by omega_x^2 (Figs. 3, 5a), and A_g
 * against the coupling J with the kappa0^-1 omega_x^-3 law (Fig. 6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_internal.h"

static int need_khgps(const pl_input *in) {
  if (in->type != PL_H5 || strcmp(in->kind, "khgps") != 0)
    return GV_ERROR(GV_EINVAL, "%s: needs KHGPS files of `glassvib khgps -o`", in->path);
  return GV_OK;
}

int pl_fig_khgps_collapse(pl_fig *f, pl_input *in, int nin) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  double *kg = NULL, *xb = NULL, *cn = NULL;
  if (nin > 32) return GV_ERROR(GV_EINVAL, "at most 32 inputs");
  int blk[32];
  char lab[32][160];
  double xmax = 0;
  for (int i = 0; i < nin; i++) {
    size_t n1 = 0, n2 = 0, n3 = 0;
    double wx = NAN;
    GV_TRY(need_khgps(&in[i]));
    GV_TRY(gv_h5_open(&h, in[i].path));
    GV_TRY(pl_khgps_label(h, lab[i], sizeof lab[i], NULL, NULL, NULL));
    GV_TRY(pl_h5_doubles(h, "/partial_average/kappa", &kg, &n1, NULL, NULL));
    GV_TRY(pl_h5_doubles(h, "/partial_average/xbar2", &xb, &n2, NULL, NULL));
    GV_TRY(pl_h5_doubles(h, "/partial_average/count", &cn, &n3, NULL, NULL));
    GV_TRY(gv_h5_get_double(h, "/results", "omega_x", &wx));
    if (n1 != n2 || n1 != n3) { status = GV_ERROR(GV_EFORMAT, "%s: partial-average arrays differ in length", in[i].path); goto cleanup; }
    if (!(wx > 0)) { status = GV_ERROR(GV_EINVAL, "%s: omega_x = %g is not positive", in[i].path, wx); goto cleanup; }
    char l[200];
    snprintf(l, sizeof l, "%s, omega_x = %.6g", in[i].path, wx);
    blk[i] = pl_block(f, l, "kappa\txbar2\tkappa/omega_x^2\txbar2/omega_x^2");
    size_t n = 0;
    const double w2 = wx * wx;
    for (size_t k = 0; k < n1; k++) {
      if (!(cn[k] > 0) || !(kg[k] > 0) || !(xb[k] > 0)) continue;
      fprintf(f->data, "%.10g\t%.10g\t%.10g\t%.10g\n", kg[k], xb[k], kg[k] / w2, xb[k] / w2);
      xmax = fmax(xmax, kg[k] / w2);
      n++;
    }
    if (n == 0) { status = GV_ERROR(GV_EINVAL, "%s: no populated partial-average bins", in[i].path); goto cleanup; }
    size_t L = strlen(lab[i]);
    snprintf(lab[i] + L, sizeof lab[i] - L, ", ω_x = %.3g", wx);
    free(kg); free(xb); free(cn);
    kg = xb = cn = NULL;
    gv_h5_close(&h, 0);
  }
  /* <xbar^2>/w_x^2 ~ (kappa/w_x^2)^-1 above the crossover (seed 001) */
  int g = -1;
  if (xmax > 1) {
    g = pl_block(f, "guide y = x^-1 (kappa >> omega_x^2)", "x\ty");
    fprintf(f->data, "1\t1\n%.10g\t%.10g\n", xmax, 1 / xmax);
  }
  pl_gp_title(f, NULL);
  pl_gp(f, "set multiplot layout 1,2 title ");
  pl_gp_str(f, f->title);
  pl_gp(f, "\nunset title\nset logscale xy\nset format xy \"10^{%%L}\"\nset key left bottom font \",10\"\n"
           "set xlabel \"κ [A x_0^2]\"\nset ylabel \"⟨x̄_*^2⟩(κ) [x_0^2]\"\nset title \"(a) partial averages\"\nplot ");
  for (int i = 0; i < nin; i++) {
    pl_gp(f, "%sdatafile index %d using 1:2 with linespoints pt 7 ps 0.7 lc rgb \"%s\" title ", i ? ", \\\n     " : "", blk[i], pl_color(i));
    pl_gp_str(f, lab[i]);
  }
  pl_gp(f, "\nset xlabel \"κ/ω_x^2\"\nset ylabel \"⟨x̄_*^2⟩/ω_x^2\"\nset title \"(b) rescaled by ω_x^2: collapse\"\nplot ");
  for (int i = 0; i < nin; i++) {
    pl_gp(f, "%sdatafile index %d using 3:4 with linespoints pt 7 ps 0.7 lc rgb \"%s\" title ", i ? ", \\\n     " : "", blk[i], pl_color(i));
    pl_gp_str(f, lab[i]);
  }
  if (g >= 0) pl_gp(f, ", \\\n     datafile index %d using 1:2 with lines dt 2 lw 2 lc rgb \"black\" title \"(κ/ω_x^2)^{-1}\"", g);
  pl_gp(f, "\nunset multiplot\n");
cleanup:
  if (h) gv_h5_close(&h, 0);
  free(kg);
  free(xb);
  free(cn);
  return status;
}

typedef struct ag_point {
  double J, h, kappa0, Ag, err, wx;
} ag_point;

static int by_J(const void *a, const void *b) {
  const ag_point *x = a, *y = b;
  return (x->J > y->J) - (x->J < y->J);
}

int pl_fig_ag_vs_j(pl_fig *f, pl_input *in, int nin) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  ag_point *p = NULL;
  GV_ALLOC(p, nin);
  for (int i = 0; i < nin; i++) {
    char lab[160];
    GV_TRY(need_khgps(&in[i]));
    GV_TRY(gv_h5_open(&h, in[i].path));
    GV_TRY(pl_khgps_label(h, lab, sizeof lab, &p[i].J, &p[i].kappa0, &p[i].h));
    GV_TRY(gv_h5_get_double(h, "/results", "A_g", &p[i].Ag));
    GV_TRY(gv_h5_get_double(h, "/results", "A_g_err", &p[i].err));
    GV_TRY(gv_h5_get_double(h, "/results", "omega_x", &p[i].wx));
    gv_h5_close(&h, 0);
  }
  int nfin = 0;
  for (int i = 0; i < nin; i++) nfin += isfinite(p[i].Ag) && p[i].Ag > 0;
  if (nfin == 0) {
    status = GV_ERROR(GV_EINVAL, "no input has a finite A_g (too few modes below omega_x/4: raise --n or --samples)");
    goto cleanup;
  }
  qsort(p, (size_t)nin, sizeof *p, by_J);
  /* one series per (h, kappa0) */
  int *done = NULL, nser = 0, blk[16], gl[16];
  char lab[16][128];
  GV_ALLOC(done, nin);
  for (int i = 0; i < nin && nser < 16; i++) {
    if (done[i]) continue;
    snprintf(lab[nser], sizeof lab[nser], "h = %g, κ0 = %g", p[i].h, p[i].kappa0);
    char desc[160];
    snprintf(desc, sizeof desc, "A_g(J) at h = %g, kappa0 = %g", p[i].h, p[i].kappa0);
    blk[nser] = pl_block(f, desc, "J\tA_g\tA_g_err\tA_lo\tA_hi\tomega_x\tkappa0^-1 omega_x^-3");
    double sl = 0;
    int m = 0, cnt = 0;
    for (int k = i; k < nin; k++)
      if (!done[k] && p[k].h == p[i].h && p[k].kappa0 == p[i].kappa0) cnt++;
    int seen = 0;
    for (int k = i; k < nin; k++) {
      if (done[k] || p[k].h != p[i].h || p[k].kappa0 != p[i].kappa0) continue;
      done[k] = 1;
      if (!(isfinite(p[k].Ag) && p[k].Ag > 0)) continue; /* no modes in the A_g window */
      const double law = 1 / (p[k].kappa0 * pow(p[k].wx, 3));
      fprintf(f->data, "%.10g\t%.10g\t%.6g\t%.10g\t%.10g\t%.10g\t%.10g\n", p[k].J, p[k].Ag, p[k].err,
              fmax(p[k].Ag - p[k].err, 0.3 * p[k].Ag), p[k].Ag + p[k].err, p[k].wx, law);
      /* the law holds in the intermediate regime: fit its constant on the upper half in J */
      if (seen++ >= cnt / 2 && p[k].Ag > 0 && law > 0 && isfinite(law)) { sl += log(p[k].Ag / law); m++; }
    }
    gl[nser] = -1;
    if (m > 0) {
      const double C = exp(sl / m);
      gl[nser] = pl_block(f, "C kappa0^-1 omega_x^-3, C fitted on the upper half of J", "J\tC/(kappa0 omega_x^3)");
      for (int k = 0; k < nin; k++)
        if (p[k].h == p[i].h && p[k].kappa0 == p[i].kappa0)
          fprintf(f->data, "%.10g\t%.10g\n", p[k].J, C / (p[k].kappa0 * pow(p[k].wx, 3)));
    }
    nser++;
  }
  free(done);
  pl_gp_title(f, NULL);
  pl_gp(f, "set logscale xy\nset format xy \"10^{%%L}\"\nset key left bottom\nset xlabel \"J [A x_0^2]\"\n"
           "set ylabel \"A_g [(A x_0^2/m)^{-5/2}]\"\nplot ");
  for (int s = 0; s < nser; s++) {
    pl_gp(f, "%sdatafile index %d using 1:2:4:5 with yerrorbars pt 7 ps 1.1 lc rgb \"%s\" title ", s ? ", \\\n     " : "", blk[s], pl_color(s));
    pl_gp_str(f, lab[s]);
    if (gl[s] >= 0)
      pl_gp(f, ", \\\n     datafile index %d using 1:2 with lines lw 2 lc rgb \"%s\" title \"∝ κ_0^{-1} ω_x^{-3}\"", gl[s], pl_color(s));
  }
  pl_gp(f, "\n");
cleanup:
  if (h) gv_h5_close(&h, 0);
  free(p);
  return status;
}
