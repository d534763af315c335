/* Glass files: round trips .h5 / .xyz / .data (2D, 3D, 4D where the format
 * allows; triclinic boxes; velocities; binary and polydisperse models; the
 * cinf taper) reproduce positions, species/sizes, box, model and energy; bad
 * files fail with GV_EIO / GV_EFORMAT naming the problem and leave nothing. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

static void make_glass(gv_glass *g, const char *model, int d, int smoothing, int triclinic, int vel) {
  gv_glass_init(g);
  CHECK_OK(gv_model_init(&g->model, model, d));
  CHECK_OK(gv_model_set_smoothing(&g->model, smoothing));
  long n = d == 4 ? 2000 : 500;
  CHECK_OK(gv_system_create_random(&g->sys, &g->model, n, 2385));
  if (!g->sys) exit(tl_finish());
  if (triclinic) {
    double h[GV_MAX_DIM][GV_MAX_DIM];
    memcpy(h, g->sys->box.h, sizeof h);
    h[0][1] = 0.21 * h[0][0];
    if (d >= 3) h[1][2] = -0.13 * h[1][1];
    CHECK_OK(gv_box_init(&g->sys->box, d, h));
  }
  if (vel) {
    g->sys->v = malloc(sizeof(double) * n * d);
    gv_rng r;
    gv_rng_init(&r, 1, 0, GV_RNG_VELOCITIES);
    for (long k = 0; k < n * d; k++) g->sys->v[k] = gv_rng_normal(&r);
  }
  /* push particles apart a little so that energies are moderate */
  g->seed = 424242;
  snprintf(g->protocol.kind, sizeof g->protocol.kind, "instant");
  g->protocol.tp = 1.0;
  g->protocol.ftol = 1e-10;
  CHECK_OK(gv_glass_evaluate(g));
}

static void round_trip(const char *model, int d, int smoothing, int triclinic, int vel, const char *ext) {
  gv_glass a, b;
  make_glass(&a, model, d, smoothing, triclinic, vel);
  char path[1024];
  snprintf(path, sizeof path, "%s/rt_%s_%d.%s", tl_tmpdir(), model, d, ext);
  CHECK_OK(gv_glass_write(path, &a));
  CHECK_OK(gv_glass_read(path, NULL, 0, &b));
  if (!b.sys) { gv_glass_free(&a); return; }
  const gv_system *s = a.sys, *t = b.sys;
  CHECK(t->n == s->n && t->dim == s->dim, "%s: n/dim", path);
  CHECK(!strcmp(b.model.name, a.model.name) && b.model.smoothing == a.model.smoothing, "%s: model", path);
  CHECK(memcmp(b.model.c, a.model.c, sizeof a.model.c) == 0, "%s: taper coefficients", path);
  CHECK_CLOSE(b.model.x_on, a.model.x_on, 0, 0);
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) CHECK_CLOSE(t->box.h[i][j], s->box.h[i][j], 0, 0);
  int exact = strcmp(ext, "data") != 0; /* .data wraps positions with image flags */
  double dx = 0;
  for (long k = 0; k < s->n * d; k++) dx = fmax(dx, fabs(t->x[k] - s->x[k]));
  CHECK(exact ? dx == 0 : dx < 1e-12, "%s: positions differ by %g", path, dx);
  if (vel) {
    CHECK(t->v != NULL, "%s: velocities lost", path);
    if (t->v) CHECK(memcmp(t->v, s->v, sizeof(double) * s->n * d) == 0, "%s: velocities differ", path);
  }
  if (s->size) CHECK(memcmp(t->size, s->size, sizeof(double) * s->n) == 0, "%s: sizes differ", path);
  if (s->type) CHECK(memcmp(t->type, s->type, sizeof(int) * s->n) == 0, "%s: types differ", path);
  CHECK(b.seed == a.seed, "%s: seed", path);
  CHECK_CLOSE(b.state.energy, a.state.energy, 0, 0); /* stored state */
  CHECK_OK(gv_glass_evaluate(&b));
  CHECK_CLOSE(b.state.energy, a.state.energy, exact ? 1e-12 : 1e-9, 0); /* random start: close pairs */
  if (!strcmp(ext, "h5")) {
    CHECK(!strcmp(b.protocol.kind, "instant") && b.protocol.tp == 1.0 && b.protocol.ftol == 1e-10, "%s: protocol", path);
  }
  gv_glass_free(&a);
  gv_glass_free(&b);
}

static void write_text(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  fputs(text, fp);
  fclose(fp);
}

static void expect_fail(const char *path, const char *model, int dim, int status, const char *needle) {
  gv_glass g;
  int st = gv_glass_read(path, model, dim, &g);
  CHECK(st == status, "%s: status %d, expected %d (%s)", path, st, status, gv_error_message());
  CHECK(strstr(gv_error_message(), needle) != NULL, "%s: message '%s' lacks '%s'", path, gv_error_message(), needle);
  CHECK(g.sys == NULL, "%s: failed read left a system", path);
}

static void bad_inputs(void) {
  char p[1024], q[1024];
  const char *dir = tl_tmpdir();
  snprintf(p, sizeof p, "%s/missing.h5", dir);
  expect_fail(p, NULL, 0, GV_EIO, "cannot open");
  /* .dat: truncated at a line boundary (density check) and mid-line. */
  char ref[1024];
  snprintf(ref, sizeof ref, "%s/reference_snapshots/ipl2D_snap.dat", tl_shared_dir());
  char *text = NULL;
  FILE *fp = fopen(ref, "rb");
  text = calloc(1 << 20, 1);
  size_t len = fread(text, 1, (1 << 20) - 1, fp);
  fclose(fp);
  snprintf(p, sizeof p, "%s/trunc.dat", dir);
  text[len / 2] = 0;
  char *nl = strrchr(text, '\n');
  nl[1] = 0;
  write_text(p, text);
  expect_fail(p, "ipl", 2, GV_EFORMAT, "density");
  nl[-5] = 0;
  write_text(p, text);
  expect_fail(p, "ipl", 2, GV_EFORMAT, "columns");
  expect_fail(ref, "ipl", 3, GV_EFORMAT, "columns"); /* wrong dim */
  expect_fail(ref, NULL, 0, GV_EINVAL, "--model");
  expect_fail(ref, "lj", 2, GV_EINVAL, "unknown model");
  write_text(p, "12.0 0 0\n0.1 0.2 0\n");
  expect_fail(p, "ipl", 2, GV_EFORMAT, "at least 2");
  free(text);
  /* .h5: truncated file. */
  gv_glass g;
  make_glass(&g, "ipl", 3, 3, 0, 0);
  snprintf(p, sizeof p, "%s/good.h5", dir);
  CHECK_OK(gv_glass_write(p, &g));
  fp = fopen(p, "rb");
  char *buf = malloc(1 << 22);
  len = fread(buf, 1, 1 << 22, fp);
  fclose(fp);
  snprintf(q, sizeof q, "%s/trunc.h5", dir);
  fp = fopen(q, "wb");
  fwrite(buf, 1, len / 2, fp);
  fclose(fp);
  free(buf);
  gv_glass h;
  CHECK(gv_glass_read(q, NULL, 0, &h) == GV_EFORMAT, "truncated .h5: %s", gv_error_message());
  /* .xyz: non-finite coordinate, overlap, truncated. */
  snprintf(p, sizeof p, "%s/good.xyz", dir);
  CHECK_OK(gv_glass_write(p, &g));
  snprintf(q, sizeof q, "%s/nan.xyz", dir);
  g.sys->x[3 * 7 + 1] = NAN;
  CHECK(gv_glass_write(q, &g) == GV_EINVAL && access(q, F_OK) != 0, "NaN not written");
  fp = fopen(p, "rb");
  text = calloc(1 << 22, 1);
  len = fread(text, 1, (1 << 22) - 1, fp);
  fclose(fp);
  {
    char *l = text;
    for (int k = 0; k < 2 + 7; k++) l = strchr(l, '\n') + 1; /* particle 7's line */
    memcpy(l, "A nan", 5);
  }
  write_text(q, text);
  free(text);
  expect_fail(q, NULL, 0, GV_EFORMAT, "particle 7");
  g.sys->x[3 * 7 + 1] = g.sys->x[3 * 9 + 1];
  g.sys->x[3 * 7 + 0] = g.sys->x[3 * 9 + 0];
  g.sys->x[3 * 7 + 2] = g.sys->x[3 * 9 + 2] + 1e-6;
  CHECK_OK(gv_glass_write(q, &g));
  expect_fail(q, NULL, 0, GV_EFORMAT, "overlap");
  fp = fopen(p, "rb");
  text = calloc(1 << 22, 1);
  len = fread(text, 1, (1 << 22) - 1, fp);
  fclose(fp);
  text[len - 200] = 0;
  write_text(q, text);
  expect_fail(q, NULL, 0, GV_EFORMAT, "truncated");
  free(text);
  /* .data truncated */
  g.sys->x[3 * 7 + 2] += 0.5;
  snprintf(p, sizeof p, "%s/good.data", dir);
  CHECK_OK(gv_glass_write(p, &g));
  fp = fopen(p, "rb");
  text = calloc(1 << 22, 1);
  len = fread(text, 1, (1 << 22) - 1, fp);
  fclose(fp);
  char *cut = strstr(text, "\n100 ");
  cut[1] = 0;
  snprintf(q, sizeof q, "%s/trunc.data", dir);
  write_text(q, text);
  expect_fail(q, NULL, 0, GV_EFORMAT, "truncated");
  free(text);
  /* .dat is read-only; unknown extension; 4D LAMMPS */
  snprintf(q, sizeof q, "%s/out.dat", dir);
  CHECK(gv_glass_write(q, &g) == GV_ENOTSUP, "writing .dat must fail");
  CHECK(access(q, F_OK) != 0, "no .dat output left");
  snprintf(q, sizeof q, "%s/out.pdb", dir);
  CHECK(gv_glass_write(q, &g) == GV_EINVAL, "unknown extension");
  gv_glass_free(&g);
  make_glass(&g, "ipl", 4, 3, 0, 0);
  snprintf(q, sizeof q, "%s/out4.data", dir);
  CHECK(gv_glass_write(q, &g) == GV_ENOTSUP && access(q, F_OK) != 0, "4D LAMMPS data refused, nothing left");
  gv_glass_free(&g);
}

int main(void) {
  round_trip("ipl", 3, 3, 0, 1, "h5");
  round_trip("poly", 2, GV_SMOOTH_CINF, 1, 0, "h5");
  round_trip("kablj", 4, 2, 1, 1, "h5");
  round_trip("ipl", 2, 3, 1, 1, "xyz");
  round_trip("poly-nbc", 3, 2, 1, 0, "xyz");
  round_trip("ipl", 4, 4, 1, 1, "xyz");
  round_trip("kablj", 3, 0, 1, 1, "data");
  round_trip("poly", 2, 3, 1, 1, "data");
  round_trip("poly", 3, GV_SMOOTH_CINF, 0, 0, "data");
  bad_inputs();
  return tl_finish();
}
