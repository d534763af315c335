/* Spectral figures: D(omega) with the omega^4 guide (glasses: `glassvib dos`;
 * KHGPS: `glassvib khgps`), F(omega)/omega^(s+1) (seed 004 Fig. 1), the
 * participation ratio e(omega), level-spacing ratios, and p(kappa) with its fitted kappa^eta
 * (seed 003 Fig. 3). Guides are written into the data table as two-point
 * blocks, so the TSV holds every line that is drawn. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/spectrum.h"
#include "plot_internal.h"

/* Legend label of a KHGPS file: its (h, J, kappa0). */
int pl_khgps_label(gv_h5 *h, char *buf, size_t n, double *J, double *kappa0, double *hh) {
  int status = GV_OK;
  double vh = NAN, vJ = NAN, vk = NAN;
  GV_TRY(gv_h5_get_double(h, "/parameters", "h", &vh));
  GV_TRY(gv_h5_get_double(h, "/parameters", "J", &vJ));
  GV_TRY(gv_h5_get_double(h, "/parameters", "kappa0", &vk));
  snprintf(buf, n, "h = %g, J = %g, κ0 = %g", vh, vJ, vk);
  if (J) *J = vJ;
  if (kappa0) *kappa0 = vk;
  if (hh) *hh = vh;
cleanup:
  return status;
}

/* A two-point guide line y = A x^p from x0 to x1 as its own block. */
static int guide_block(pl_fig *f, const char *desc, double A, double p, double x0, double x1) {
  int b = pl_block(f, desc, "x\ty");
  const int np = 16;
  for (int k = 0; k <= np; k++) {
    double x = x0 * pow(x1 / x0, (double)k / np);
    fprintf(f->data, "%.10g\t%.10g\n", x, A * pow(x, p));
  }
  return b;
}

int pl_fig_dos(pl_fig *f, pl_input *in, int nin) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  double *w = NULL, *D = NULL, *E = NULL;
  char unit[128] = "", lab[256];
  pl_gp_title(f, nin > 1 ? "vibrational density of states" : NULL);
  pl_gp(f, "set logscale xy\nset format xy \"10^{%%L}\"\nset key left top\n");
  pl_gp(f, "plot ");
  for (int i = 0; i < nin; i++) {
    size_t n = 0;
    double Ag = NAN, lo = NAN, hi = NAN;
    const char *col = pl_color(i);
    if (i) pl_gp(f, ", \\\n     ");
    if (in[i].type == PL_TSV && strcmp(in[i].kind, "dos") == 0) {
      const pl_table *t = &in[i].t;
      int cb = pl_table_col(t, "block"), cw = pl_table_col(t, "omega"), cv = pl_table_col(t, "value"),
          ce = pl_table_col(t, "err"), cc = pl_table_col(t, "count");
      if (cb < 0 || cw < 0 || cv < 0 || ce < 0)
        return GV_ERROR(GV_EFORMAT, "%s: dos table without block/omega/value/err columns", in[i].path);
      if (!unit[0]) pl_col_unit(t, cw, unit, sizeof unit);
      pl_header_num(t, "A_g", &Ag);
      pl_header_num(t, "omega_min_phonon", &hi);
      snprintf(lab, sizeof lab, "%s", pl_base(in[i].path));
      int b = pl_block(f, in[i].path, "omega\tD\terr\tD_lo\tD_hi");
      lo = INFINITY;
      double wmax = 0;
      for (size_t r = 0; r < t->nrow; r++) {
        if (pl_at(t, r, cb) != 1 || !(pl_at(t, r, cv) > 0)) continue;
        if (cc >= 0 && pl_at(t, r, cc) <= 0) continue;
        double x = pl_at(t, r, cw), y = pl_at(t, r, cv), e = pl_at(t, r, ce);
        fprintf(f->data, "%.10g\t%.10g\t%.6g\t%.10g\t%.10g\n", x, y, e, fmax(y - e, 0.2 * y), y + e);
        lo = fmin(lo, x);
        wmax = fmax(wmax, x);
        n++;
      }
      if (!(hi > 0)) hi = wmax;
      pl_gp(f, "datafile index %d using 1:2:4:5 with yerrorbars pt 7 ps 0.9 lc rgb \"%s\" title ", b, col);
    } else if (in[i].type == PL_H5 && strcmp(in[i].kind, "khgps") == 0) {
      size_t nd = 0, ne = 0;
      GV_TRY(gv_h5_open(&h, in[i].path));
      GV_TRY(pl_khgps_label(h, lab, sizeof lab, NULL, NULL, NULL));
      GV_TRY(pl_h5_doubles(h, "/dos/omega", &w, &nd, NULL, NULL));
      GV_TRY(pl_h5_doubles(h, "/dos/D", &D, &ne, NULL, NULL));
      GV_TRY(pl_h5_doubles(h, "/dos/D_err", &E, &ne, NULL, NULL));
      if (ne != nd) { status = GV_ERROR(GV_EFORMAT, "%s: /dos arrays differ in length", in[i].path); goto cleanup; }
      gv_h5_get_double(h, "/results", "A_g", &Ag);
      gv_h5_get_double(h, "/results", "A_g_window_hi", &hi);
      if (!unit[0]) snprintf(unit, sizeof unit, "(A x_0^2/m)^{1/2}");
      int b = pl_block(f, in[i].path, "omega\tD\terr\tD_lo\tD_hi");
      lo = INFINITY;
      for (size_t r = 0; r < nd; r++) {
        if (!(D[r] > 0)) continue;
        fprintf(f->data, "%.10g\t%.10g\t%.6g\t%.10g\t%.10g\n", w[r], D[r], E[r], fmax(D[r] - E[r], 0.2 * D[r]), D[r] + E[r]);
        lo = fmin(lo, w[r]);
        n++;
      }
      hi = hi > 0 ? 2 * hi : lo * 10;
      pl_gp(f, "datafile index %d using 1:2:4:5 with yerrorbars pt 7 ps 0.9 lc rgb \"%s\" title ", b, col);
      free(w); free(D); free(E);
      w = D = E = NULL;
      gv_h5_close(&h, 0);
    } else {
      return GV_ERROR(GV_EINVAL, "%s: a '%s' file cannot be drawn as D(omega) (use a dos table or a khgps file)",
                      in[i].path, in[i].kind);
    }
    if (n == 0) return GV_ERROR(GV_EINVAL, "%s: no positive D(omega) bins", in[i].path);
    pl_gp_str(f, lab);
    pl_gp(f, " noenhanced");
    if (Ag > 0 && isfinite(Ag) && lo > 0 && hi > lo) {
      int b = guide_block(f, "guide A_g omega^4", Ag, 4.0, lo, hi);
      snprintf(lab, sizeof lab, "A_g ω^4, A_g = %.3g", Ag);
      pl_gp(f, ", \\\n     datafile index %d using 1:2 with lines dt 2 lw 2 lc rgb \"%s\" title ", b, col);
      pl_gp_str(f, lab);
    }
  }
  pl_gp(f, "\n");
  char xl[256], yl[256];
  snprintf(xl, sizeof xl, "ω [%s]", unit);
  snprintf(yl, sizeof yl, "D(ω) [1/(%s)]", unit);
  pl_gp_prepend_labels(f, xl, yl);
cleanup:
  if (h) gv_h5_close(&h, 0);
  free(w);
  free(D);
  free(E);
  return status;
}

int pl_fig_dos_exponent(pl_fig *f, pl_input *in, int nin) {
  char unit[128] = "", lab[256];
  int blk[64];
  double s_fit[64];
  if (nin > 64) return GV_ERROR(GV_EINVAL, "at most 64 inputs");
  double anchor_w = NAN, anchor_5 = NAN, anchor_4 = NAN;
  for (int i = 0; i < nin; i++) {
    if (in[i].type != PL_TSV || strcmp(in[i].kind, "dos") != 0)
      return GV_ERROR(GV_EINVAL, "%s: dos-exponent needs tables of `glassvib dos -o`", in[i].path);
    const pl_table *t = &in[i].t;
    int cb = pl_table_col(t, "block"), cw = pl_table_col(t, "omega"), cv = pl_table_col(t, "value");
    if (cb < 0 || cw < 0 || cv < 0) return GV_ERROR(GV_EFORMAT, "%s: not a dos table", in[i].path);
    if (!unit[0]) pl_col_unit(t, cw, unit, sizeof unit);
    s_fit[i] = NAN;
    pl_header_num(t, "s", &s_fit[i]);
    blk[i] = pl_block(f, in[i].path, "omega\tF\tF/omega^5\tF/omega^4");
    size_t n = 0;
    for (size_t r = 0; r < t->nrow; r++) {
      double x = pl_at(t, r, cw), F = pl_at(t, r, cv);
      if (pl_at(t, r, cb) != 2 || !(x > 0) || !(F > 0)) continue;
      fprintf(f->data, "%.10g\t%.10g\t%.10g\t%.10g\n", x, F, F / pow(x, 5), F / pow(x, 4));
      if (i == 0 && n == 2) { anchor_w = x; anchor_5 = F / pow(x, 5); anchor_4 = F / pow(x, 4); }
      n++;
    }
    if (n == 0) return GV_ERROR(GV_EINVAL, "%s: no cumulative F(omega) rows (block 2)", in[i].path);
  }
  /* slope guides through the first input's third mode: s = 3 in (a), s = 4 in (b) */
  int g5 = -1, g4 = -1;
  if (anchor_w > 0) {
    g5 = guide_block(f, "guide slope -1 (s = 3) for F/omega^5", anchor_5 * anchor_w, -1.0, anchor_w, anchor_w * 4);
    g4 = guide_block(f, "guide slope +1 (s = 4) for F/omega^4", anchor_4 / anchor_w, 1.0, anchor_w, anchor_w * 4);
  }
  char xl[256];
  snprintf(xl, sizeof xl, "ω [%s]", unit);
  pl_gp_title(f, NULL);
  pl_gp(f, "set multiplot layout 1,2 title ");
  pl_gp_str(f, f->title);
  pl_gp(f, "\nunset title\nset logscale xy\nset format xy \"10^{%%L}\"\nset key left bottom\nset xlabel ");
  pl_gp_str(f, xl);
  for (int panel = 0; panel < 2; panel++) {
    pl_gp(f, "\nset ylabel ");
    pl_gp_str(f, panel == 0 ? "F(ω)/ω^5   (flat: s = 4)" : "F(ω)/ω^4   (flat: s = 3)");
    pl_gp(f, "\nplot ");
    for (int i = 0; i < nin; i++) {
      if (isfinite(s_fit[i])) snprintf(lab, sizeof lab, "%s (fit s = %.2f)", pl_base(in[i].path), s_fit[i]);
      else snprintf(lab, sizeof lab, "%s", pl_base(in[i].path));
      pl_gp(f, "%sdatafile index %d using 1:%d with points pt 7 ps 0.7 lc rgb \"%s\" title ", i ? ", \\\n     " : "",
            blk[i], panel == 0 ? 3 : 4, pl_color(i));
      pl_gp_str(f, lab);
      pl_gp(f, " noenhanced");
    }
    const int g = panel == 0 ? g5 : g4;
    if (g >= 0)
      pl_gp(f, ", \\\n     datafile index %d using 1:2 with lines dt 2 lw 2 lc rgb \"black\" title \"%s\"", g,
            panel == 0 ? "slope -1 (s = 3)" : "slope +1 (s = 4)");
  }
  pl_gp(f, "\nunset multiplot\n");
  return GV_OK;
}

int pl_fig_participation(pl_fig *f, pl_input *in, int nin) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  double *w = NULL, *e = NULL;
  pl_gp_title(f, NULL);
  pl_gp(f, "set logscale xy\nset format xy \"10^{%%L}\"\nset key right bottom\n");
  double wph[64];
  if (nin > 64) return GV_ERROR(GV_EINVAL, "at most 64 inputs");
  int blk[64];
  for (int i = 0; i < nin; i++) {
    size_t nw = 0, ne = 0;
    if (in[i].type != PL_H5 || strcmp(in[i].kind, "modes") != 0)
      return GV_ERROR(GV_EINVAL, "%s: participation needs MODES.h5 files of `glassvib modes`", in[i].path);
    GV_TRY(gv_h5_open(&h, in[i].path));
    GV_TRY(pl_h5_doubles(h, "/modes/omega", &w, &nw, NULL, NULL));
    GV_TRY(pl_h5_doubles(h, "/modes/participation", &e, &ne, NULL, NULL));
    if (nw != ne) { status = GV_ERROR(GV_EFORMAT, "%s: omega and participation differ in length", in[i].path); goto cleanup; }
    wph[i] = NAN;
    if (gv_h5_has_attr(h, "/modes", "omega_phonon")) gv_h5_get_double(h, "/modes", "omega_phonon", &wph[i]);
    blk[i] = pl_block(f, in[i].path, "omega\tparticipation");
    size_t n = 0;
    for (size_t k = 0; k < nw; k++)
      if (w[k] > 0 && e[k] > 0) { fprintf(f->data, "%.10g\t%.10g\n", w[k], e[k]); n++; }
    if (n == 0) { status = GV_ERROR(GV_EINVAL, "%s: no positive frequencies", in[i].path); goto cleanup; }
    free(w); free(e);
    w = e = NULL;
    gv_h5_close(&h, 0);
  }
  for (int i = 0; i < nin; i++)
    if (wph[i] > 0 && isfinite(wph[i]))
      pl_gp(f, "set arrow from %.8g, graph 0 to %.8g, graph 1 nohead dt 3 lc rgb \"%s\"\n", wph[i], wph[i], pl_color(i));
  pl_gp(f, "plot ");
  for (int i = 0; i < nin; i++) {
    pl_gp(f, "%sdatafile index %d using 1:2 with points pt 7 ps 0.7 lc rgb \"%s\" title ", i ? ", \\\n     " : "", blk[i], pl_color(i));
    pl_gp_str(f, pl_base(in[i].path));
    pl_gp(f, " noenhanced");
  }
  pl_gp(f, "\n");
  pl_gp_prepend_labels(f, "ω [(ε/m)^{1/2}/λ]   (dotted: predicted first phonon band)", "participation ratio e");
cleanup:
  if (h) gv_h5_close(&h, 0);
  free(w);
  free(e);
  return status;
}

int pl_fig_pkappa(pl_fig *f, pl_input *in, int nin) {
  char unit[128] = "", lab[256];
  int same_unit = 1;
  pl_gp_title(f, NULL);
  pl_gp(f, "set logscale xy\nset format xy \"10^{%%L}\"\nset key left top\nplot ");
  for (int i = 0; i < nin; i++) {
    const pl_table *t = &in[i].t;
    int ck, cp, ce, cc;
    if (in[i].type == PL_TSV && strcmp(in[i].kind, "dipoles-hist") == 0) {
      ck = pl_table_col(t, "kappa"); cp = pl_table_col(t, "p(kappa)"); ce = pl_table_col(t, "err"); cc = pl_table_col(t, "count");
    } else if (in[i].type == PL_TSV && strcmp(in[i].kind, "lattice") == 0) {
      ck = pl_table_col(t, "kappa"); cp = pl_table_col(t, "p"); ce = pl_table_col(t, "p_err"); cc = pl_table_col(t, "count");
    } else {
      return GV_ERROR(GV_EINVAL, "%s: pkappa needs `glassvib dipoles --hist` or `glassvib lattice -o` tables", in[i].path);
    }
    if (ck < 0 || cp < 0) return GV_ERROR(GV_EFORMAT, "%s: no kappa / p columns", in[i].path);
    char u[128];
    pl_col_unit(t, ck, u, sizeof u);
    if (i == 0) snprintf(unit, sizeof unit, "%s", u);
    else if (strcmp(u, unit) != 0) same_unit = 0;
    int b = pl_block(f, in[i].path, "kappa\tp\terr\tp_lo\tp_hi");
    size_t n = 0;
    for (size_t r = 0; r < t->nrow; r++) {
      double k = pl_at(t, r, ck), p = pl_at(t, r, cp), e = ce >= 0 ? pl_at(t, r, ce) : 0;
      if (!(k > 0) || !(p > 0) || (cc >= 0 && pl_at(t, r, cc) <= 0)) continue;
      fprintf(f->data, "%.10g\t%.10g\t%.6g\t%.10g\t%.10g\n", k, p, e, fmax(p - e, 0.2 * p), p + e);
      n++;
    }
    if (n == 0) return GV_ERROR(GV_EINVAL, "%s: no populated bins", in[i].path);
    pl_gp(f, "%sdatafile index %d using 1:2:4:5 with yerrorbars pt 7 ps 0.9 lc rgb \"%s\" title ", i ? ", \\\n     " : "",
          b, pl_color(i));
    pl_gp_str(f, pl_base(in[i].path));
    pl_gp(f, " noenhanced");
    /* the fitted power law, anchored on the bins inside the fit window */
    double eta = NAN, lo = NAN, hi = NAN, eta_err = NAN;
    pl_header_num(t, "eta", &eta);
    if (pl_header_range(t, "eta", &lo, &hi) == 0 && isfinite(eta) && lo > 0 && hi > lo) {
      double sl = 0;
      size_t m = 0;
      for (size_t r = 0; r < t->nrow; r++) {
        double k = pl_at(t, r, ck), p = pl_at(t, r, cp);
        if (k >= lo && k <= hi && p > 0) { sl += log(p) - eta * log(k); m++; }
      }
      if (m > 0) {
        /* "eta X +- E" in either header style */
        pl_header_pm(t, "eta", &eta_err);
        int g = guide_block(f, "fitted p ~ kappa^eta over the fit window", exp(sl / (double)m), eta, lo, hi);
        if (isfinite(eta_err)) snprintf(lab, sizeof lab, "κ^{η}, η = %.2f ± %.2f", eta, eta_err);
        else snprintf(lab, sizeof lab, "κ^{η}, η = %.2f", eta);
        pl_gp(f, ", \\\n     datafile index %d using 1:2 with lines lw 2.5 lc rgb \"%s\" title ", g, pl_color(i));
        pl_gp_str(f, lab);
      }
    }
  }
  pl_gp(f, "\n");
  char xl[256];
  if (same_unit && unit[0]) snprintf(xl, sizeof xl, "κ [%s]", unit);
  else snprintf(xl, sizeof xl, "κ%s", same_unit ? "" : "  (units of each input)");
  pl_gp_prepend_labels(f, xl, "p(κ)");
  return GV_OK;
}

/* Level statistics (seed 004): the ratio of consecutive spacings
 * r = min(s_k, s_k+1)/max(s_k, s_k+1) of each glass's sorted frequencies,
 * pooled over the inputs. (a) P(r) against the GOE surmise
 * P(r) = (27/4)(r + r^2)/(1 + r + r^2)^(5/2) and Poisson P(r) = 2/(1 + r)^2
 * (Atas, Bogomolny, Giraud, Roux, PRL 110, 084101 (2013)); (b) <r> in
 * frequency windows of equal counts, which shows where the spectrum is
 * extended (GOE, 0.5307) and where localised (Poisson, 0.3863). */
typedef struct { double w, r; } pl_level;

static int cmp_level(const void *a, const void *b) {
  double x = ((const pl_level *)a)->w, y = ((const pl_level *)b)->w;
  return (x > y) - (x < y);
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int pl_fig_levels(pl_fig *f, pl_input *in, int nin) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  double *w = NULL;
  pl_level *lv = NULL;
  size_t nlv = 0, cap = 0;
  for (int i = 0; i < nin; i++) {
    size_t nw = 0;
    if (in[i].type != PL_H5 || strcmp(in[i].kind, "modes") != 0)
      return GV_ERROR(GV_EINVAL, "%s: levels needs MODES.h5 files of `glassvib modes`", in[i].path);
    GV_TRY(gv_h5_open(&h, in[i].path));
    GV_TRY(pl_h5_doubles(h, "/modes/omega", &w, &nw, NULL, NULL));
    gv_h5_close(&h, 0);
    size_t m = 0; /* positive frequencies only: translations and unstable modes are not levels */
    for (size_t k = 0; k < nw; k++)
      if (w[k] > 0 && isfinite(w[k])) w[m++] = w[k];
    qsort(w, m, sizeof *w, cmp_dbl);
    if (nlv + m > cap) {
      cap = 2 * (nlv + m);
      pl_level *t = realloc(lv, cap * sizeof *lv);
      if (!t) { status = GV_ERROR(GV_ENOMEM, "levels: out of memory"); goto cleanup; }
      lv = t;
    }
    for (size_t k = 0; k + 2 < m; k++) {
      double s1 = w[k + 1] - w[k], s2 = w[k + 2] - w[k + 1];
      double mx = fmax(s1, s2);
      if (!(mx > 0)) continue; /* exact degeneracy: no ratio */
      lv[nlv].w = w[k + 1];
      lv[nlv].r = fmin(s1, s2) / mx;
      nlv++;
    }
    free(w);
    w = NULL;
  }
  if (nlv < 20) {
    status = GV_ERROR(GV_EINVAL, "levels: only %zu spacing ratios; use modes --all or more glasses", nlv);
    goto cleanup;
  }
  /* (a) histogram of r on [0, 1] */
  enum { NB = 20 };
  double hist[NB] = {0}, rsum = 0;
  for (size_t k = 0; k < nlv; k++) {
    int b = (int)(lv[k].r * NB);
    hist[b < NB ? b : NB - 1] += 1;
    rsum += lv[k].r;
  }
  int bh = pl_block(f, "P(r): histogram of the spacing ratios", "r\tP(r)\terr");
  for (int b = 0; b < NB; b++)
    fprintf(f->data, "%.6g\t%.10g\t%.10g\n", (b + 0.5) / NB, hist[b] * NB / (double)nlv, sqrt(hist[b]) * NB / (double)nlv);
  /* (b) <r> in windows of equal counts along omega */
  qsort(lv, nlv, sizeof *lv, cmp_level);
  size_t nwin = nlv / 60;
  if (nwin < 3) nwin = 3;
  if (nwin > 24) nwin = 24;
  int bw = pl_block(f, "<r> in frequency windows of equal counts", "omega_mean\tr_mean\tr_err\tcount");
  for (size_t b = 0; b < nwin; b++) {
    size_t lo = b * nlv / nwin, hi = (b + 1) * nlv / nwin;
    double sw = 0, sr = 0, sr2 = 0;
    for (size_t k = lo; k < hi; k++) sw += lv[k].w, sr += lv[k].r, sr2 += lv[k].r * lv[k].r;
    double n = (double)(hi - lo), mr = sr / n;
    fprintf(f->data, "%.10g\t%.10g\t%.10g\t%zu\n", sw / n, mr, sqrt(fmax(sr2 / n - mr * mr, 0) / (n - 1)), hi - lo);
  }
  char ttl[160];
  snprintf(ttl, sizeof ttl, "level-spacing ratios (%zu ratios, <r> = %.4f)", nlv, rsum / (double)nlv);
  pl_gp_title(f, ttl);
  pl_gp(f, "set multiplot layout 1,2 title ");
  pl_gp_str(f, f->title);
  pl_gp(f, "\nunset title\nset key top right\n"
           "goe(r) = 27.0/4*(r + r*r)/(1 + r + r*r)**2.5\npoisson(r) = 2.0/(1 + r)**2\n"
           "set xrange [0:1]\nset yrange [0:*]\nset xlabel \"r = min(s_k, s_{k+1}) / max(s_k, s_{k+1})\"\n"
           "set ylabel \"P(r)\"\n"
           "plot datafile index %d using 1:2:3 with yerrorbars pt 7 ps 0.7 lc rgb \"%s\" title \"glassvib\", \\\n"
           "     goe(x) with lines lw 2 lc rgb \"black\" title \"GOE\", \\\n"
           "     poisson(x) with lines dt 2 lw 2 lc rgb \"black\" title \"Poisson\"\n",
        bh, pl_color(0));
  pl_gp(f, "set autoscale x\nset logscale x\nset yrange [0.3:0.6]\nset key bottom right\n"
           "set xlabel \"ω [(ε/m)^{1/2}/λ]\"\nset ylabel \"<r> in the window\"\n"
           "plot datafile index %d using 1:2:3 with yerrorbars pt 7 ps 0.7 lc rgb \"%s\" title \"glassvib\", \\\n"
           "     %.4f with lines lw 2 lc rgb \"black\" title \"GOE %.4f\", \\\n"
           "     %.4f with lines dt 2 lw 2 lc rgb \"black\" title \"Poisson %.4f\"\n"
           "unset multiplot\n",
        bw, pl_color(0), GV_SPECTRUM_R_GOE, GV_SPECTRUM_R_GOE, GV_SPECTRUM_R_POISSON, GV_SPECTRUM_R_POISSON);
cleanup:
  if (h) gv_h5_close(&h, 0);
  free(w);
  free(lv);
  return status;
}
