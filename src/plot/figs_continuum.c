/* Continuum-theory and S(q,w) figures: HET-SCBA g/omega^2 and Gamma(omega)
 * (`glassvib scba`); S_L(q,w), S_T(q,w) maps and cuts from `glassvib born|gba -o`
 * and the microscopic `glassvib sqw -o`; Brillouin poles Omega_P(q), Gamma_P(q)
 * with the Rayleigh law Gamma ~ R q^4 (seed 000). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_internal.h"

static int guide(pl_fig *f, const char *desc, double A, double p, double x0, double x1) {
  int b = pl_block(f, desc, "x\ty");
  for (int k = 0; k <= 16; k++) {
    double x = x0 * pow(x1 / x0, k / 16.0);
    fprintf(f->data, "%.10g\t%.10g\n", x, A * pow(x, p));
  }
  return b;
}

/* Text after "key" up to the end of its header line (or ';'). */
static void header_text(const pl_table *t, const char *key, char *buf, size_t n) {
  buf[0] = '\0';
  const char *p = t->header ? strstr(t->header, key) : NULL;
  if (!p) return;
  p += strlen(key);
  while (*p == ' ' || *p == ':' || *p == '=') p++;
  size_t len = strcspn(p, ";\n");
  snprintf(buf, n, "%.*s", (int)len, p);
}

static int physical_units(const pl_table *t) {
  char u[128];
  header_text(t, "units", u, sizeof u);
  return strstr(u, "physical") != NULL || strstr(u, "meV") != NULL;
}

/* ------------------------------------------------------------------ scba */

int pl_fig_scba(pl_fig *f, pl_input *in, int nin) {
  if (nin > 32) return GV_ERROR(GV_EINVAL, "at most 32 inputs");
  int blk[32], gl[32], gt[32], vec[32] = {0};
  double gmin = INFINITY, gmax = 0;
  double bp[32], dl[32];
  char lab[32][128];
  for (int i = 0; i < nin; i++) {
    if (in[i].type != PL_TSV || strcmp(in[i].kind, "scba") != 0)
      return GV_ERROR(GV_EINVAL, "%s: scba figures need tables of `glassvib scba -o`", in[i].path);
    const pl_table *t = &in[i].t;
    int cw = pl_table_col(t, "omega"), cg = pl_table_col(t, "g_over_omega2"), cl = pl_table_col(t, "Gamma_L"),
        ct = pl_table_col(t, "Gamma_T");
    if (cw < 0 || cg < 0 || cl < 0 || ct < 0) return GV_ERROR(GV_EFORMAT, "%s: not an scba table", in[i].path);
    double gamma = NAN, RL = NAN, RT = NAN;
    pl_header_num(t, "gamma", &gamma);
    pl_header_num(t, "rayleigh_coeff_L", &RL);
    pl_header_num(t, "rayleigh_coeff_T", &RT);
    bp[i] = dl[i] = NAN;
    pl_header_num(t, "omega_bp", &bp[i]);
    pl_header_num(t, "debye_level", &dl[i]);
    vec[i] = strstr(t->header, "vector theory") != NULL;
    snprintf(lab[i], sizeof lab[i], "γ = %g%s", gamma, vec[i] ? " (vector)" : "");
    blk[i] = pl_block(f, in[i].path, "omega\tg/omega^2\tGamma_L\tGamma_T");
    double wlo = INFINITY;
    for (size_t r = 0; r < t->nrow; r++) {
      double w = pl_at(t, r, cw);
      if (!(w > 0)) continue;
      fprintf(f->data, "%.10g\t%.10g\t%.10g\t%.10g\n", w, pl_at(t, r, cg), pl_at(t, r, cl), pl_at(t, r, ct));
      if (w < wlo) {
        wlo = w;
        if (pl_at(t, r, cl) > 0) gmin = fmin(gmin, pl_at(t, r, cl));
        if (pl_at(t, r, ct) > 0) gmin = fmin(gmin, pl_at(t, r, ct));
      }
      gmax = fmax(gmax, fmax(pl_at(t, r, cl), pl_at(t, r, ct)));
    }
    if (!isfinite(wlo)) return GV_ERROR(GV_EINVAL, "%s: no positive frequencies", in[i].path);
    double whi = bp[i] > wlo ? bp[i] : 10 * wlo;
    gl[i] = RL > 0 ? guide(f, "Rayleigh Gamma_L = R_L omega^4", RL, 4, wlo, whi) : -1;
    gt[i] = (vec[i] && RT > 0) ? guide(f, "Rayleigh Gamma_T = R_T omega^4", RT, 4, wlo, whi) : -1;
  }
  const char *wl = vec[0] ? "ω [c k_D, k_D = 1]" : "ω [c_0 k_D]";
  pl_gp_title(f, NULL);
  pl_gp(f, "set multiplot layout 1,2 title ");
  pl_gp_str(f, f->title);
  pl_gp(f, "\nunset title\nset xlabel ");
  pl_gp_str(f, wl);
  pl_gp(f, "\nset logscale x\nset ylabel \"g(ω)/ω^2\"\nset key right top\nset title \"(a) reduced DOS: boson peak\"\nplot ");
  for (int i = 0; i < nin; i++) {
    pl_gp(f, "%sdatafile index %d using 1:2 with lines lw 2 lc rgb \"%s\" title ", i ? ", \\\n     " : "", blk[i], pl_color(i));
    pl_gp_str(f, lab[i]);
    if (isfinite(dl[i]))
      pl_gp(f, ", \\\n     %.10g with lines dt 3 lc rgb \"%s\" title \"Debye level\"", dl[i], pl_color(i));
  }
  pl_gp(f, "\nset logscale xy\nset format xy \"10^{%%L}\"\nset ylabel \"Γ(ω)\"\nset key left top\n"
           "set title \"(b) sound attenuation (dashed: Rayleigh R ω^4)\"\n");
  if (gmin > 0 && gmax > gmin) pl_gp(f, "set yrange [%.6g:%.6g]\n", gmin / 10, gmax * 3);
  pl_gp(f, "plot ");
  for (int i = 0; i < nin; i++) {
    char l2[160];
    snprintf(l2, sizeof l2, "Γ_L, %s", lab[i]);
    pl_gp(f, "%sdatafile index %d using 1:3 with lines lw 2 lc rgb \"%s\" title ", i ? ", \\\n     " : "", blk[i], pl_color(i));
    pl_gp_str(f, vec[i] ? l2 : lab[i]);
    if (vec[i]) {
      snprintf(l2, sizeof l2, "Γ_T, %s", lab[i]);
      pl_gp(f, ", \\\n     datafile index %d using 1:4 with lines lw 2 dt 4 lc rgb \"%s\" title ", blk[i], pl_color(i));
      pl_gp_str(f, l2);
    }
    if (gl[i] >= 0) pl_gp(f, ", \\\n     datafile index %d using 1:2 with lines dt 2 lc rgb \"black\" notitle", gl[i]);
    if (gt[i] >= 0) pl_gp(f, ", \\\n     datafile index %d using 1:2 with lines dt 2 lc rgb \"gray40\" notitle", gt[i]);
  }
  pl_gp(f, "\nunset multiplot\n");
  return GV_OK;
}

/* ------------------------------------------------------------ S(q,omega) */

typedef struct sq_cols {
  int q, w, sl, st;
  int micro; /* microscopic (glassvib sqw): q column is the shell's actual |q| */
} sq_cols;

static int sq_find(const pl_input *in, sq_cols *c) {
  const pl_table *t = &in->t;
  if (in->type != PL_TSV ||
      (strcmp(in->kind, "sqw") && strcmp(in->kind, "born-map") && strcmp(in->kind, "gba-map")))
    return GV_ERROR(GV_EINVAL, "%s: needs a map of `glassvib born|gba -o` or `glassvib sqw -o`", in->path);
  c->micro = strcmp(in->kind, "sqw") == 0;
  c->q = pl_table_col(t, "q");
  c->w = pl_table_col(t, "omega");
  c->sl = pl_table_col(t, "S_L");
  c->st = pl_table_col(t, "S_T");
  if (c->q < 0 || c->w < 0 || c->sl < 0 || c->st < 0)
    return GV_ERROR(GV_EFORMAT, "%s: no q / omega / S_L / S_T columns", in->path);
  return GV_OK;
}

static void sq_labels(const pl_input *in, char *ql, char *wl, size_t n) {
  const pl_table *t = &in->t;
  if (strcmp(in->kind, "sqw") == 0) {
    snprintf(ql, n, "q [λ^{-1}]");
    snprintf(wl, n, "ω [(ε/m)^{1/2}/λ]");
  } else if (physical_units(t)) {
    snprintf(ql, n, "q [nm^{-1}]");
    snprintf(wl, n, "ω [meV]");
  } else {
    snprintf(ql, n, "q");
    snprintf(wl, n, "ω");
  }
}

int pl_fig_sqw_map(pl_fig *f, pl_input *in, int nin) {
  sq_cols c;
  int poles = -1;
  int status = sq_find(&in[0], &c);
  if (status < 0) return status;
  for (int i = 1; i < nin; i++)
    if (in[i].type == PL_TSV && (strcmp(in[i].kind, "born-poles") == 0 || strcmp(in[i].kind, "gba-poles") == 0))
      poles = i;
    else
      return GV_ERROR(GV_EINVAL, "%s: a map takes one S(q,w) table and optionally its --poles table", in[i].path);
  const pl_table *t = &in[0].t;
  double smax[2] = {0, 0}, qmin = INFINITY, qmax = 0, wmax = 0;
  for (size_t r = 0; r < t->nrow; r++) {
    smax[0] = fmax(smax[0], pl_at(t, r, c.sl));
    smax[1] = fmax(smax[1], pl_at(t, r, c.st));
    qmin = fmin(qmin, pl_at(t, r, c.q));
    qmax = fmax(qmax, pl_at(t, r, c.q));
    wmax = fmax(wmax, pl_at(t, r, c.w));
  }
  if (!(smax[0] > 0) || !(smax[1] > 0)) return GV_ERROR(GV_EINVAL, "%s: S is zero everywhere", in[0].path);
  int b = pl_block(f, in[0].path, "q\tomega\tS_L\tS_T\t(scans of constant q separated by one blank line)");
  size_t nq = 0;
  for (size_t r = 0; r < t->nrow; r++) {
    if (r > 0 && pl_at(t, r, c.q) != pl_at(t, r - 1, c.q)) fputc('\n', f->data);
    if (r == 0 || pl_at(t, r, c.q) != pl_at(t, r - 1, c.q)) nq++;
    /* floor at 1e-8 of the maximum so the log colour scale has no holes */
    fprintf(f->data, "%.10g\t%.10g\t%.10g\t%.10g\n", pl_at(t, r, c.q), pl_at(t, r, c.w),
            fmax(pl_at(t, r, c.sl), 1e-8 * smax[0]), fmax(pl_at(t, r, c.st), 1e-8 * smax[1]));
  }
  if (nq < 2) return GV_ERROR(GV_EINVAL, "%s: a map needs at least two q values (use --kind sqw-cuts)", in[0].path);
  /* bare dispersions omega = c_P q, from the header of a continuum map */
  double cl = NAN, ct = NAN;
  int bl = -1;
  if (!c.micro && pl_header_num(t, "c_L", &cl) == 0 && pl_header_num(t, "c_T", &ct) == 0) {
    bl = pl_block(f, "bare dispersions omega = c_L q, c_T q", "q\tc_L q\tc_T q");
    for (int k = 0; k <= 40; k++) {
      double q = qmin + (qmax - qmin) * k / 40.0;
      fprintf(f->data, "%.10g\t%.10g\t%.10g\n", q, cl * q, ct * q);
    }
  }
  int bp = -1;
  if (poles >= 0) {
    const pl_table *p = &in[poles].t;
    int pq = pl_table_col(p, "q"), pL = pl_table_col(p, "Omega_L"), pT = pl_table_col(p, "Omega_T");
    if (pq >= 0 && pL >= 0 && pT >= 0) {
      bp = pl_block(f, in[poles].path, "q\tOmega_L\tOmega_T");
      for (size_t r = 0; r < p->nrow; r++)
        fprintf(f->data, "%.10g\t%.10g\t%.10g\n", pl_at(p, r, pq), pl_at(p, r, pL), pl_at(p, r, pT));
    }
  }
  char ql[64], wl[64];
  sq_labels(&in[0], ql, wl, sizeof ql);
  pl_gp_title(f, NULL);
  pl_gp(f, "set multiplot layout 1,2 title ");
  pl_gp_str(f, f->title);
  pl_gp(f, "\nunset title\nset view map\nset pm3d map interpolate 1,1\nset palette cubehelix negative\n"
           "set logscale cb\nset format cb \"10^{%%L}\"\nunset key\nset xlabel ");
  pl_gp_str(f, wl);
  pl_gp(f, "\nset ylabel ");
  pl_gp_str(f, ql);
  pl_gp(f, "\nset xrange [0:%.10g]\nset yrange [%.10g:%.10g]\n", wmax, qmin, qmax);
  for (int panel = 0; panel < 2; panel++) {
    pl_gp(f, "set cbrange [%.6g:%.6g]\n", smax[panel] * 1e-6, smax[panel]);
    pl_gp(f, "set title \"%s\"\n", panel == 0 ? "S_L(q,ω)" : "S_T(q,ω)");
    pl_gp(f, "splot datafile index %d using 2:1:%d with pm3d", b, panel == 0 ? 3 : 4);
    if (bl >= 0)
      pl_gp(f, ", \\\n      datafile index %d using 2:1:(0) with lines dt 2 lc rgb \"gray30\", \\\n"
               "      datafile index %d using 3:1:(0) with lines dt 3 lc rgb \"gray30\"", bl, bl);
    if (bp >= 0) pl_gp(f, ", \\\n      datafile index %d using %d:1:(0) with points pt 6 ps 1 lc rgb \"black\"", bp, panel == 0 ? 2 : 3);
    pl_gp(f, "\n");
  }
  pl_gp(f, "unset multiplot\n");
  return GV_OK;
}

int pl_fig_sqw_cuts(pl_fig *f, pl_input *in, int nin) {
  const char *nz = f->o->normalize ? f->o->normalize : "none";
  if (nin > 16) return GV_ERROR(GV_EINVAL, "at most 16 inputs");
  enum { MAXCUT = 8 };
  int blk[16][MAXCUT], ncut[16];
  double qv[16][MAXCUT], smax[2] = {0, 0};
  char ql[64] = "", wl[64] = "";
  for (int i = 0; i < nin; i++) {
    sq_cols c;
    int status = sq_find(&in[i], &c);
    if (status < 0) return status;
    /* a microscopic table fixes the units (a theory fed by its moduli shares them) */
    if (i == 0 || c.micro) sq_labels(&in[i], ql, wl, sizeof ql);
    const pl_table *t = &in[i].t;
    /* scans of constant q: [start, end) row ranges */
    size_t starts[1024], nscan = 0;
    for (size_t r = 0; r < t->nrow && nscan < 1023; r++)
      if (r == 0 || pl_at(t, r, c.q) != pl_at(t, r - 1, c.q)) starts[nscan++] = r;
    starts[nscan] = t->nrow;
    /* at most MAXCUT cuts, evenly spread over the scans */
    ncut[i] = nscan < MAXCUT ? (int)nscan : MAXCUT;
    for (int k = 0; k < ncut[i]; k++) {
      size_t s = ncut[i] == 1 ? 0 : (size_t)llround((double)k * (nscan - 1) / (ncut[i] - 1));
      size_t r0 = starts[s], r1 = starts[s + 1];
      double norm[2] = {1, 1};
      if (!strcmp(nz, "fsum") || !strcmp(nz, "peak"))
        for (int p = 0; p < 2; p++) {
          int col = p == 0 ? c.sl : c.st;
          double acc = 0;
          for (size_t r = r0; r < r1; r++) {
            double S = pl_at(t, r, col), w = pl_at(t, r, c.w);
            if (!strcmp(nz, "peak")) acc = fmax(acc, S);
            else if (r > r0) {
              double wp = pl_at(t, r - 1, c.w), Sp = pl_at(t, r - 1, col);
              acc += 0.5 * (w - wp) * (w * w * S + wp * wp * Sp);
            }
          }
          if (acc > 0) norm[p] = acc;
        }
      qv[i][k] = pl_at(t, r0, c.q);
      char desc[4200];
      snprintf(desc, sizeof desc, "%s, q = %.6g, normalisation %s (S_L / %.6g, S_T / %.6g)", in[i].path, qv[i][k], nz,
               norm[0], norm[1]);
      blk[i][k] = pl_block(f, desc, "omega\tS_L\tS_T");
      for (size_t r = r0; r < r1; r++) {
        double w = pl_at(t, r, c.w);
        if (!(w > 0)) continue;
        double a = pl_at(t, r, c.sl) / norm[0], b = pl_at(t, r, c.st) / norm[1];
        smax[0] = fmax(smax[0], a);
        smax[1] = fmax(smax[1], b);
        fprintf(f->data, "%.10g\t%.10g\t%.10g\n", w, a, b);
      }
    }
  }
  pl_gp_title(f, NULL);
  pl_gp(f, "set multiplot layout 1,2 title ");
  pl_gp_str(f, f->title);
  pl_gp(f, "\nunset title\nset logscale y\nset format y \"10^{%%L}\"\nset key right top font \",10\"\nset xlabel ");
  pl_gp_str(f, wl);
  pl_gp(f, "\n");
  for (int panel = 0; panel < 2; panel++) {
    const char *yl = panel == 0 ? "S_L(q,ω)" : "S_T(q,ω)";
    char ylab[128];
    snprintf(ylab, sizeof ylab, "%s%s", yl, !strcmp(nz, "fsum") ? " / ∫ω^2S dω" : !strcmp(nz, "peak") ? " / max" : "");
    pl_gp(f, "set ylabel ");
    pl_gp_str(f, ylab);
    pl_gp(f, "\nset yrange [%.6g:%.6g]\nplot ", smax[panel] * 1e-5, smax[panel] * 2);
    int first = 1;
    for (int i = 0; i < nin; i++)
      for (int k = 0; k < ncut[i]; k++) {
        char lab[256];
        snprintf(lab, sizeof lab, "q = %.3g%s%s", qv[i][k], nin > 1 ? ", " : "", nin > 1 ? pl_base(in[i].path) : "");
        pl_gp(f, "%sdatafile index %d using 1:%d with lines lw 1.8 dt %d lc rgb \"%s\" title ", first ? "" : ", \\\n     ",
              blk[i][k], panel == 0 ? 2 : 3, 1 + i % 5, pl_color(k));
        pl_gp_str(f, lab);
        pl_gp(f, " noenhanced");
        first = 0;
      }
    pl_gp(f, "\n");
  }
  pl_gp(f, "unset multiplot\n");
  return GV_OK;
}

/* ---------------------------------------------------------------- poles */

/* Plot clauses of input i's L and T series (data blocks bL, bT; column col of q,
 * Omega, Gamma), labelled "<sym>_L, <lab>" and "<sym>_T, <lab>". */
static void poles_pair(pl_fig *f, int i, int bL, int bT, int col, const char *sym, const char *lab) {
  for (int p = 0; p < 2; p++) {
    char l[200];
    snprintf(l, sizeof l, "%s_%c, %s", sym, p ? 'T' : 'L', lab);
    pl_gp(f, "%sdatafile index %d using 1:%d with linespoints pt %d ps 1 lc rgb \"%s\" title ",
          i || p ? ", \\\n     " : "", p ? bT : bL, col, (p ? 6 : 7) + 2 * (i % 3), pl_color(2 * i + p));
    pl_gp_str(f, l);
  }
}

int pl_fig_poles(pl_fig *f, pl_input *in, int nin) {
  if (nin > 16) return GV_ERROR(GV_EINVAL, "at most 16 inputs");
  int bL[16], bT[16], gL[16], gT[16], bc[16];
  char lab[16][160];
  int phys = 0;
  for (int i = 0; i < nin; i++) {
    if (in[i].type != PL_TSV || (strcmp(in[i].kind, "born-poles") && strcmp(in[i].kind, "gba-poles")))
      return GV_ERROR(GV_EINVAL, "%s: poles needs tables of `glassvib born|gba --poles`", in[i].path);
    const pl_table *t = &in[i].t;
    if (i == 0) phys = physical_units(t);
    int cq = pl_table_col(t, "q"), cOL = pl_table_col(t, "Omega_L"), cGL = pl_table_col(t, "Gamma_L"),
        cOT = pl_table_col(t, "Omega_T"), cGT = pl_table_col(t, "Gamma_T");
    if (cq < 0 || cOL < 0 || cGL < 0 || cOT < 0 || cGT < 0) return GV_ERROR(GV_EFORMAT, "%s: not a poles table", in[i].path);
    header_text(t, "approximation", lab[i], sizeof lab[i]);
    if (!lab[i][0]) snprintf(lab[i], sizeof lab[i], "%s", pl_base(in[i].path));
    double qlo = INFINITY, qhi = 0;
    for (int p = 0; p < 2; p++) {
      int co = p == 0 ? cOL : cOT, cg = p == 0 ? cGL : cGT;
      int b = pl_block(f, in[i].path, p == 0 ? "q\tOmega_L\tGamma_L" : "q\tOmega_T\tGamma_T");
      for (size_t r = 0; r < t->nrow; r++) {
        double q = pl_at(t, r, cq), O = pl_at(t, r, co), G = pl_at(t, r, cg);
        if (!(q > 0) || !isfinite(O) || !(G > 0)) continue;
        fprintf(f->data, "%.10g\t%.10g\t%.10g\n", q, O, G);
        qlo = fmin(qlo, q);
        qhi = fmax(qhi, q);
      }
      if (p == 0) bL[i] = b;
      else bT[i] = b;
    }
    if (!(qhi > 0)) return GV_ERROR(GV_EINVAL, "%s: no resolved poles", in[i].path);
    if (qhi <= qlo) qhi = 2 * qlo;
    double RL = NAN, RT = NAN, cl = NAN, ct = NAN, a = NAN;
    /* the Rayleigh law holds for q a << 1: draw it up to q a = 1 */
    double qg = (pl_header_num(t, "a", &a) == 0 && a > 0 && 1 / a < qhi) ? fmax(1 / a, qlo * 2) : qhi;
    pl_header_num(t, "rayleigh_coeff_L", &RL);
    pl_header_num(t, "rayleigh_coeff_T", &RT);
    gL[i] = RL > 0 ? guide(f, "Rayleigh Gamma_L = R_L q^4 (up to q a = 1)", RL, 4, qlo, qg) : -1;
    gT[i] = RT > 0 ? guide(f, "Rayleigh Gamma_T = R_T q^4 (up to q a = 1)", RT, 4, qlo, qg) : -1;
    bc[i] = -1;
    if (pl_header_num(t, "c_L", &cl) == 0 && pl_header_num(t, "c_T", &ct) == 0 && cl > 0 && ct > 0 && i == 0) {
      bc[i] = pl_block(f, "bare dispersions c_L q, c_T q", "q\tc_L q\tc_T q");
      fprintf(f->data, "%.10g\t%.10g\t%.10g\n%.10g\t%.10g\t%.10g\n", qlo, cl * qlo, ct * qlo, qhi, cl * qhi, ct * qhi);
    }
  }
  pl_gp_title(f, NULL);
  pl_gp(f, "set multiplot layout 1,2 title ");
  pl_gp_str(f, f->title);
  pl_gp(f, "\nunset title\nset logscale xy\nset format xy \"10^{%%L}\"\nset key left top font \",10\"\nset xlabel ");
  pl_gp_str(f, phys ? "q [nm^{-1}]" : "q");
  pl_gp(f, "\nset ylabel ");
  pl_gp_str(f, phys ? "Ω_P(q) [meV]" : "Ω_P(q)");
  pl_gp(f, "\nset title \"(a) Brillouin peak position\"\nplot ");
  for (int i = 0; i < nin; i++) {
    poles_pair(f, i, bL[i], bT[i], 2, "Ω", lab[i]);
    if (bc[i] >= 0)
      pl_gp(f, ", \\\n     datafile index %d using 1:2 with lines dt 3 lc rgb \"gray40\" title \"c_L q, c_T q\", \\\n"
               "     datafile index %d using 1:3 with lines dt 3 lc rgb \"gray40\" notitle", bc[i], bc[i]);
  }
  pl_gp(f, "\nset ylabel ");
  pl_gp_str(f, phys ? "Γ_P(q) [meV]" : "Γ_P(q)");
  pl_gp(f, "\nset title \"(b) Brillouin width (dashed: Rayleigh R q^4)\"\nplot ");
  for (int i = 0; i < nin; i++) {
    poles_pair(f, i, bL[i], bT[i], 3, "Γ", lab[i]);
    if (gL[i] >= 0) pl_gp(f, ", \\\n     datafile index %d using 1:2 with lines dt 2 lw 1.5 lc rgb \"%s\" notitle", gL[i], pl_color(2 * i));
    if (gT[i] >= 0) pl_gp(f, ", \\\n     datafile index %d using 1:2 with lines dt 2 lw 1.5 lc rgb \"%s\" notitle", gT[i], pl_color(2 * i + 1));
  }
  pl_gp(f, "\nunset multiplot\n");
  return GV_OK;
}
