/* Real-space figures: a glass (2D disks / 3D points), a mode or dipole
 * response drawn on it (2D quiver; 3D arrows of the particles that carry the
 * field, in perspective), and the soft-mode anatomy tables of seed 002:
 * <e^2>_shell r_s^4 (Fig. 3) and the core restoring forces D2(r_c), D4(r_c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/glass.h"
#include "plot_internal.h"

/* Particle radius for drawing: half the particle's own length scale. */
static double radius(const gv_glass *g, long i) {
  const gv_system *s = g->sys;
  if (s->size) return 0.5 * s->size[i];
  if (s->type) {
    int t = s->type[i];
    if (t >= 0 && t < 2 && g->model.lambda[t][t] > 0) return 0.5 * g->model.lambda[t][t];
  }
  return 0.5;
}

/* Position of particle i wrapped into the primary cell. */
static void wrapped(const gv_system *s, long i, double *x) {
  for (int a = 0; a < s->dim; a++) x[a] = s->x[i * s->dim + a];
  gv_box_wrap(&s->box, x);
}

static void box_outline(pl_fig *f, const gv_system *s) {
  const int d = s->dim;
  pl_block(f, "box edges", d == 2 ? "x\ty" : "x\ty\tz");
  if (d == 2) {
    static const int c[5][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}};
    for (int k = 0; k < 5; k++)
      fprintf(f->data, "%.8g\t%.8g\n", c[k][0] * s->box.h[0][0] + c[k][1] * s->box.h[0][1],
              c[k][0] * s->box.h[1][0] + c[k][1] * s->box.h[1][1]);
    return;
  }
  /* one path over all 12 edges of the cell (first three axes), some retraced:
   * a single scan, so splot draws no mesh between scans */
  static const int path[16][3] = {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {0, 0, 0}, {0, 0, 1},
                                  {1, 0, 1}, {1, 1, 1}, {0, 1, 1}, {0, 0, 1}, {1, 0, 1}, {1, 0, 0},
                                  {1, 1, 0}, {1, 1, 1}, {0, 1, 1}, {0, 1, 0}};
  for (int k = 0; k < 16; k++) {
    double x[3];
    for (int a = 0; a < 3; a++)
      x[a] = path[k][0] * s->box.h[a][0] + path[k][1] * s->box.h[a][1] + path[k][2] * s->box.h[a][2];
    fprintf(f->data, "%.8g\t%.8g\t%.8g\n", x[0], x[1], x[2]);
  }
}

int pl_fig_glass(pl_fig *f, pl_input *in, int nin) {
  int status = GV_OK;
  gv_glass g;
  gv_glass_init(&g);
  if (nin != 1) return GV_ERROR(GV_EINVAL, "glass: one glass file");
  if (strcmp(in[0].kind, "glass") != 0) return GV_ERROR(GV_EINVAL, "%s: not a glass file", in[0].path);
  GV_TRY(gv_glass_read(in[0].path, NULL, 0, &g));
  const gv_system *s = g.sys;
  int b = pl_block(f, in[0].path, s->dim == 2 ? "x\ty\tradius\ttype_or_size" : "x\ty\tz\tradius\ttype_or_size");
  for (long i = 0; i < s->n; i++) {
    double x[GV_MAX_DIM];
    wrapped(s, i, x);
    double c = s->size ? s->size[i] : s->type ? s->type[i] : 0;
    if (s->dim == 2) fprintf(f->data, "%.8g\t%.8g\t%.6g\t%.6g\n", x[0], x[1], radius(&g, i), c);
    else fprintf(f->data, "%.8g\t%.8g\t%.8g\t%.6g\t%.6g\n", x[0], x[1], x[2], radius(&g, i), c);
  }
  box_outline(f, s);
  const int bb = f->nblocks - 1;
  char t[256];
  snprintf(t, sizeof t, "%s: %s %dD, N = %ld", pl_base(in[0].path), g.model.name, s->dim, s->n);
  pl_gp_title(f, t);
  pl_gp(f, "set palette defined (0 \"#9ecae1\", 1 \"#e6550d\")\nunset colorbox\nunset key\n");
  if (s->dim == 2) {
    pl_gp(f, "set size ratio -1\nset xlabel \"x [λ]\"\nset ylabel \"y [λ]\"\n"
             "plot datafile index %d using 1:2:3:4 with circles fs solid 0.6 border lc rgb \"gray30\" lc palette, \\\n"
             "     datafile index %d using 1:2 with lines lc rgb \"black\"\n", b, bb);
  } else {
    pl_gp(f, "set view equal xyz\nset view 60,30\nset xyplane at 0\nset xlabel \"x [λ]\"\nset ylabel \"y [λ]\"\nset zlabel \"z [λ]\"\n"
             "splot datafile index %d using 1:2:3:5 with points pt 7 ps 0.6 lc palette, \\\n"
             "      datafile index %d using 1:2:3 with lines lc rgb \"black\"\n", b, bb);
  }
cleanup:
  gv_glass_free(&g);
  return status;
}

/* The field of mode `k` from a modes / nlmodes / dipole-responses file. */
static int read_field(const pl_input *in, int k, long n, int dim, double **e, char *label, size_t ln) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  double *v = NULL, *w = NULL;
  size_t dims[4], nw = 0;
  int rank = 0;
  const char *path, *scal, *name;
  if (!strcmp(in->kind, "modes")) path = "/modes/vectors", scal = "/modes/omega", name = "ω";
  else if (!strcmp(in->kind, "nlmodes")) path = "/nlmodes/vectors", scal = "/nlmodes/kappa", name = "κ";
  else if (!strcmp(in->kind, "dipole-responses")) path = "/responses/vectors", scal = "/responses/kappa", name = "κ";
  else return GV_ERROR(GV_EINVAL, "%s: a '%s' file holds no displacement field", in->path, in->kind);
  GV_TRY(gv_h5_open(&h, in->path));
  if (!gv_h5_exists(h, path)) {
    status = GV_ERROR(GV_EINVAL, "%s has no %s (run `glassvib modes --vectors`)", in->path, path);
    goto cleanup;
  }
  GV_TRY(pl_h5_doubles(h, path, &v, NULL, &rank, dims));
  size_t K = dims[0], per = rank == 3 ? dims[1] * dims[2] : rank == 2 ? dims[1] : 0;
  if (per != (size_t)n * (size_t)dim) {
    status = GV_ERROR(GV_EINVAL, "%s: fields of %zu numbers do not match the glass (N d = %ld)", in->path, per, n * dim);
    goto cleanup;
  }
  if ((size_t)k >= K) {
    status = GV_ERROR(GV_EINVAL, "--mode %d out of range: %s holds %zu fields", k, in->path, K);
    goto cleanup;
  }
  GV_ALLOC(*e, per);
  memcpy(*e, v + (size_t)k * per, per * sizeof **e);
  if (pl_h5_doubles(h, scal, &w, &nw, NULL, NULL) == 0 && (size_t)k < nw)
    snprintf(label, ln, "%s %d, %s = %.4g", in->kind, k, name, w[k]);
  else
    snprintf(label, ln, "%s %d", in->kind, k);
  gv_error_clear();
cleanup:
  if (h) gv_h5_close(&h, 0);
  free(v);
  free(w);
  return status;
}

int pl_fig_field(pl_fig *f, pl_input *in, int nin) {
  int status = GV_OK;
  gv_glass g;
  gv_glass_init(&g);
  double *e = NULL;
  int ig = -1, iv = -1;
  for (int i = 0; i < nin; i++) {
    if (!strcmp(in[i].kind, "glass")) ig = i;
    else iv = i;
  }
  if (nin != 2 || ig < 0 || iv < 0)
    return GV_ERROR(GV_EINVAL, "field: give the glass and one modes/nlmodes/dipoles --fields file");
  GV_TRY(gv_glass_read(in[ig].path, NULL, 0, &g));
  const gv_system *s = g.sys;
  const int d = s->dim;
  char lab[160];
  GV_TRY(read_field(&in[iv], f->o->mode, s->n, d, &e, lab, sizeof lab));
  /* arrow scale: the largest displacement is drawn 3 lambda long */
  double emax = 0, e4 = 0, e2 = 0;
  for (long i = 0; i < s->n; i++) {
    double a = 0;
    for (int c = 0; c < d; c++) a += e[i * d + c] * e[i * d + c];
    emax = fmax(emax, sqrt(a));
    e2 += a;
    e4 += a * a;
  }
  if (!(emax > 0)) { status = GV_ERROR(GV_EINVAL, "%s: field %d is zero", in[iv].path, f->o->mode); goto cleanup; }
  const double scale = 3.0 / emax, part = e2 * e2 / (s->n * e4);
  int bp = pl_block(f, in[ig].path, d == 2 ? "x\ty\tradius" : "x\ty\tz");
  for (long i = 0; i < s->n; i++) {
    double x[GV_MAX_DIM];
    wrapped(s, i, x);
    if (d == 2) fprintf(f->data, "%.8g\t%.8g\t%.6g\n", x[0], x[1], radius(&g, i));
    else fprintf(f->data, "%.8g\t%.8g\t%.8g\n", x[0], x[1], x[2]);
  }
  char desc[4400];
  snprintf(desc, sizeof desc, "%s, %s, arrows = field x %.6g (largest 3 lambda)%s", in[iv].path, lab, scale,
           d > 2 ? "; particles with |e_i| >= 0.1 max" : "");
  int ba = pl_block(f, desc, d == 2 ? "x\ty\tdx\tdy\t|e_i|/max" : "x\ty\tz\tdx\tdy\tdz\t|e_i|/max");
  for (long i = 0; i < s->n; i++) {
    double x[GV_MAX_DIM], a = 0;
    wrapped(s, i, x);
    for (int c = 0; c < d; c++) a += e[i * d + c] * e[i * d + c];
    a = sqrt(a) / emax;
    if (d == 2) {
      if (a < 1e-3) continue;
      fprintf(f->data, "%.8g\t%.8g\t%.6g\t%.6g\t%.4g\n", x[0], x[1], scale * e[i * d], scale * e[i * d + 1], a);
    } else {
      if (a < 0.1) continue;
      fprintf(f->data, "%.8g\t%.8g\t%.8g\t%.6g\t%.6g\t%.6g\t%.4g\n", x[0], x[1], x[2], scale * e[i * d],
              scale * e[i * d + 1], scale * e[i * d + 2], a);
    }
  }
  box_outline(f, s);
  const int bb = f->nblocks - 1;
  char t[400];
  snprintf(t, sizeof t, "%s, participation e = %.3g%s", lab, part, d == 4 ? " (4D: first three coordinates)" : "");
  pl_gp_title(f, t);
  pl_gp(f, "unset key\nset palette defined (0 \"#bdbdbd\", 0.3 \"#3182bd\", 1 \"#de2d26\")\n"
           "set cblabel \"|e_i| / max\"\nset cbrange [0:1]\n");
  if (d == 2) {
    pl_gp(f, "set size ratio -1\nset xlabel \"x [λ]\"\nset ylabel \"y [λ]\"\n"
             "plot datafile index %d using 1:2:3 with circles fs empty lc rgb \"gray75\", \\\n"
             "     datafile index %d using 1:2:3:4:5 with vectors head filled size 0.25,20 lw 1.3 lc palette, \\\n"
             "     datafile index %d using 1:2 with lines lc rgb \"black\"\n", bp, ba, bb);
  } else {
    pl_gp(f, "set view equal xyz\nset view 60,30\nset xyplane at 0\nset xlabel \"x [λ]\"\nset ylabel \"y [λ]\"\nset zlabel \"z [λ]\"\n"
             "splot datafile index %d using 1:2:3 with dots lc rgb \"gray70\", \\\n"
             "      datafile index %d using 1:2:3:4:5:6:7 with vectors head filled size 0.25,20 lw 1.3 lc palette, \\\n"
             "      datafile index %d using 1:2:3 with lines lc rgb \"black\"\n", bp, ba, bb);
  }
cleanup:
  free(e);
  gv_glass_free(&g);
  return status;
}

int pl_fig_shells(pl_fig *f, pl_input *in, int nin) {
  if (nin > 16) return GV_ERROR(GV_EINVAL, "at most 16 inputs");
  int blk[16];
  for (int i = 0; i < nin; i++) {
    if (in[i].type != PL_TSV || strcmp(in[i].kind, "anatomy-shells"))
      return GV_ERROR(GV_EINVAL, "%s: shells needs tables of `glassvib anatomy --shells`", in[i].path);
    const pl_table *t = &in[i].t;
    if (t->ncol < 3) return GV_ERROR(GV_EFORMAT, "%s: expected r_s and two profiles", in[i].path);
    blk[i] = pl_block(f, in[i].path, "r_s\t<e^2>r^4(mode)\t<e^2>r^4(elastic dipole)");
    for (size_t r = 0; r < t->nrow; r++)
      fprintf(f->data, "%.8g\t%.8g\t%.8g\n", pl_at(t, r, 0), pl_at(t, r, 1), pl_at(t, r, 2));
  }
  pl_gp_title(f, NULL);
  pl_gp(f, "set key right top\nset xlabel \"shell radius r_s [λ]\"\nset ylabel \"⟨e^2⟩_{shell} r_s^4 [λ^4]\"\n"
           "set yrange [0:*]\nplot ");
  for (int i = 0; i < nin; i++) {
    char l[300];
    snprintf(l, sizeof l, "mode%s%s", nin > 1 ? ", " : "", nin > 1 ? pl_base(in[i].path) : "");
    pl_gp(f, "%sdatafile index %d using 1:2 with linespoints pt 7 ps 0.8 lc rgb \"%s\" title ", i ? ", \\\n     " : "", blk[i], pl_color(i));
    pl_gp_str(f, l);
    pl_gp(f, " noenhanced, \\\n     datafile index %d using 1:3 with lines dt 2 lw 2 lc rgb \"%s\" title \"elastic dipole field\"", blk[i], pl_color(i));
  }
  pl_gp(f, "\n");
  return GV_OK;
}

int pl_fig_core(pl_fig *f, pl_input *in, int nin) {
  if (nin != 1 || in[0].type != PL_TSV || strcmp(in[0].kind, "anatomy-core"))
    return GV_ERROR(GV_EINVAL, "core: one table of `glassvib anatomy -o`");
  const pl_table *t = &in[0].t;
  if (t->ncol < 4) return GV_ERROR(GV_EFORMAT, "%s: expected r_c, D2, D4, D2_model", in[0].path);
  int b = pl_block(f, in[0].path, "r_c\tD2\tD4\tD2_model_eq6");
  for (size_t r = 0; r < t->nrow; r++)
    fprintf(f->data, "%.8g\t%.8g\t%.8g\t%.8g\n", pl_at(t, r, 0), pl_at(t, r, 1), pl_at(t, r, 2), pl_at(t, r, 3));
  pl_gp_title(f, NULL);
  pl_gp(f, "set multiplot layout 1,2 title ");
  pl_gp_str(f, f->title);
  pl_gp(f, "\nunset title\nset xlabel \"core radius r_c [λ]\"\nset key right bottom\n"
           "set ylabel \"D_2 [ε/A^2]\"\nset title \"(a) harmonic core coefficient\"\n"
           "plot datafile index %d using 1:2 with linespoints pt 7 ps 0.7 lc rgb \"%s\" title \"D_2(r_c)\", \\\n"
           "     datafile index %d using 1:4 with lines dt 2 lw 2 lc rgb \"black\" title \"Eq. 6 model\"\n"
           "set ylabel \"D_4 [ε/A^4]\"\nset title \"(b) quartic core coefficient\"\n"
           "plot datafile index %d using 1:3 with linespoints pt 7 ps 0.7 lc rgb \"%s\" title \"D_4(r_c)\"\n"
           "unset multiplot\n", b, pl_color(0), b, b, pl_color(1));
  return GV_OK;
}
