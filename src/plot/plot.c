/* gv_plot_render: identify the inputs, let the figure builder write the data
 * table and the gnuplot script, run gnuplot, and commit every output
 * atomically (all or nothing). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot_internal.h"

static const struct {
  gv_plot_kind_info info;
  pl_builder build;
  int panels;
} kinds[] = {
    {{"dos", "dos TSV, khgps .h5 (several: overlaid)",
      "D(omega) on log-log axes with the omega^4 guide A_g omega^4 of each input"},
     pl_fig_dos, 1},
    {{"dos-exponent", "dos TSV (several: overlaid)",
      "F(omega)/omega^5 and F(omega)/omega^4 (seed 004 Fig. 1) with the fitted s"},
     pl_fig_dos_exponent, 2},
    {{"participation", "modes .h5 (several: overlaid)", "participation ratio e vs omega"},
     pl_fig_participation, 1},
    {{"levels", "modes .h5 (several: pooled)",
      "level-spacing ratio P(r) vs GOE and Poisson, and <r> along omega (seed 004)"},
     pl_fig_levels, 2},
    {{"pkappa", "dipoles --hist TSV, lattice TSV (several: overlaid)",
      "p(kappa) on log-log axes with the fitted kappa^eta in its window (seed 003 Fig. 3)"},
     pl_fig_pkappa, 1},
    {{"khgps-collapse", "khgps .h5 (several)",
      "partial averages <xbar*^2>(kappa), raw and rescaled by omega_x^2 (seed 001 Figs. 3, 5)"},
     pl_fig_khgps_collapse, 2},
    {{"ag-vs-j", "khgps .h5 (several J)",
      "A_g vs J with kappa0^-1 omega_x^-3 (seed 001 Fig. 6)"},
     pl_fig_ag_vs_j, 1},
    {{"scba", "scba TSV (several: overlaid)",
      "g(omega)/omega^2 (boson peak) and Gamma(omega) with the Rayleigh omega^4 law"},
     pl_fig_scba, 2},
    {{"sqw-map", "born/gba map TSV or sqw TSV",
      "S_L(q,omega) and S_T(q,omega) as colour maps (log colour scale)"},
     pl_fig_sqw_map, 2},
    {{"sqw-cuts", "born/gba map TSV, sqw TSV (several: overlaid)",
      "S_L(q,omega) and S_T(q,omega) at fixed q (use --normalize to compare)"},
     pl_fig_sqw_cuts, 2},
    {{"poles", "born/gba --poles TSV (several: overlaid)",
      "Omega_P(q) and Gamma_P(q) on log-log axes with the Rayleigh R q^4 line (seed 000)"},
     pl_fig_poles, 2},
    {{"field", "GLASS + modes/nlmodes/dipoles --fields .h5",
      "a mode or dipole response (--mode I): 2D quiver or 3D projection"},
     pl_fig_field, 1},
    {{"glass", "glass (.h5, .xyz, .data)", "particle positions (2D disks, 3D points)"},
     pl_fig_glass, 1},
    {{"shells", "anatomy --shells TSV (several: overlaid)",
      "<e^2>_shell r^4 of the mode and of the elastic dipole field (seed 002 Fig. 3)"},
     pl_fig_shells, 1},
    {{"core", "anatomy -o TSV", "D2(r_c), its Eq. 6 model, and D4(r_c) (seed 002)"},
     pl_fig_core, 2},
};
#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

const gv_plot_kind_info *gv_plot_kinds(int *n) {
  static gv_plot_kind_info table[NKINDS];
  for (int k = 0; k < NKINDS; k++) table[k] = kinds[k].info;
  if (n) *n = NKINDS;
  return table;
}

void gv_plot_opts_init(gv_plot_opts *o) {
  memset(o, 0, sizeof *o);
  o->formats = 0; /* from the extension of out, else both */
  o->normalize = "none";
}

static int has_ext(const char *p, const char *ext) {
  size_t n = strlen(p), e = strlen(ext);
  return n > e && strcmp(p + n - e, ext) == 0;
}

/* ------------------------------------------------------- identification */

static int is_hdf5(const char *path) {
  static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  unsigned char b[8];
  FILE *fp = fopen(path, "rb");
  if (!fp) return -1;
  size_t n = fread(b, 1, 8, fp);
  fclose(fp);
  return n == 8 && memcmp(b, sig, 8) == 0;
}

/* Table kind from the command in the title and the columns. */
static int table_kind(const char *path, const pl_table *t, char *kind, size_t n) {
  const char *c = t->cmd;
  const char *k = NULL;
  if (strcmp(c, "dos") == 0) k = "dos";
  else if (strcmp(c, "sqw") == 0) k = "sqw";
  else if (strcmp(c, "born") == 0 || strcmp(c, "gba") == 0) {
    static char buf[32];
    snprintf(buf, sizeof buf, "%s-%s", c, pl_table_col(t, "Omega_L") >= 0 ? "poles" : "map");
    k = buf;
  } else if (strcmp(c, "scba") == 0) k = "scba";
  else if (strcmp(c, "dipoles") == 0) {
    if (pl_table_col(t, "p(kappa)") < 0)
      return GV_ERROR(GV_EINVAL, "%s: per-pair dipole table; plot the p(kappa) table of `glassvib dipoles --hist`", path);
    k = "dipoles-hist";
  } else if (strcmp(c, "lattice") == 0) k = "lattice";
  else if (strcmp(c, "anatomy") == 0) k = strstr(t->title, "shell") ? "anatomy-shells" : "anatomy-core";
  else if (strcmp(c, "plot") == 0)
    return GV_ERROR(GV_EINVAL, "%s is the data table of a figure; re-render it with its .gp script", path);
  if (!k) return GV_ERROR(GV_EFORMAT, "%s: not a glassvib table that plot knows (title '%s')", path, t->title);
  snprintf(kind, n, "%s", k);
  return GV_OK;
}

static int input_open(pl_input *in, const char *path) {
  int status = GV_OK;
  memset(in, 0, sizeof *in);
  in->path = path;
  int h5 = is_hdf5(path);
  if (h5 < 0) return GV_ERROR(GV_EIO, "cannot open '%s': %s", path, strerror(errno));
  if (h5) {
    gv_h5 *h = NULL;
    in->type = PL_H5;
    GV_TRY(gv_h5_open(&h, path));
    if (!gv_h5_has_attr(h, "/provenance", "kind")) {
      gv_h5_close(&h, 0);
      return GV_ERROR(GV_EFORMAT, "%s: HDF5 file without /provenance/kind (not written by glassvib)", path);
    }
    status = gv_h5_get_string(h, "/provenance", "kind", in->kind, sizeof in->kind);
    gv_h5_close(&h, 0);
    return status;
  }
  if (has_ext(path, ".xyz") || has_ext(path, ".data")) {
    in->type = PL_H5; /* read through gv_glass_read */
    snprintf(in->kind, sizeof in->kind, "glass");
    return GV_OK;
  }
  in->type = PL_TSV;
  GV_TRY(pl_table_read(path, &in->t));
  GV_TRY(table_kind(path, &in->t, in->kind, sizeof in->kind));
cleanup:
  return status;
}

static void input_close(pl_input *in) {
  if (in->type == PL_TSV) pl_table_free(&in->t);
}

static const char *default_kind(const char *input_kind) {
  static const char *map[][2] = {
      {"dos", "dos"},           {"sqw", "sqw-cuts"},          {"born-map", "sqw-map"},
      {"gba-map", "sqw-map"},   {"born-poles", "poles"},      {"gba-poles", "poles"},
      {"scba", "scba"},         {"dipoles-hist", "pkappa"},   {"lattice", "pkappa"},
      {"anatomy-shells", "shells"}, {"anatomy-core", "core"}, {"modes", "participation"},
      {"khgps", "dos"},         {"nlmodes", "field"},         {"dipole-responses", "field"},
      {"glass", "glass"},
  };
  for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
    if (strcmp(input_kind, map[k][0]) == 0) return map[k][1];
  return NULL;
}

int gv_plot_detect(const char *path, char *kind, size_t n) {
  pl_input in;
  int status = input_open(&in, path);
  if (status >= 0) {
    const char *k = default_kind(in.kind);
    if (!k) status = GV_ERROR(GV_EFORMAT, "%s: glassvib '%s' file has no figure", path, in.kind);
    else snprintf(kind, n, "%s", k);
  }
  input_close(&in);
  return status;
}

/* -------------------------------------------------------------- gnuplot */

int gv_plot_find_gnuplot(const char *exe, char *buf, size_t n) {
  const char *name = exe && *exe ? exe : "gnuplot";
  if (strchr(name, '/')) {
    if (access(name, X_OK) == 0) { snprintf(buf, n, "%s", name); return GV_OK; }
    return GV_ERROR(GV_ENOTSUP, "gnuplot '%s' not found or not executable (install gnuplot-nox)", name);
  }
  const char *path = getenv("PATH");
  if (!path) path = "/usr/bin:/bin";
  while (*path) {
    const char *e = strchr(path, ':');
    size_t len = e ? (size_t)(e - path) : strlen(path);
    if (len > 0) {
      snprintf(buf, n, "%.*s/%s", (int)len, path, name);
      if (access(buf, X_OK) == 0) return GV_OK;
    }
    path += len;
    if (*path == ':') path++;
  }
  buf[0] = '\0';
  return GV_ERROR(GV_ENOTSUP, "gnuplot not found on PATH (install it: apt-get install gnuplot-nox)");
}

/* Append s as a gnuplot single-quoted literal (a quote is doubled). */
static void sq(char *dst, size_t n, const char *s) {
  size_t j = strlen(dst);
  if (j + 1 < n) dst[j++] = '\'';
  for (; *s && j + 3 < n; s++) {
    if (*s == '\'') dst[j++] = '\'';
    dst[j++] = *s;
  }
  if (j + 1 < n) dst[j++] = '\'';
  dst[j] = '\0';
}

static int run_gnuplot(const char *gnuplot, const char *script, const char *data, const char *png,
                       const char *svg, int formats) {
  char expr[16384] = "datafile=";
  sq(expr, sizeof expr, data);
  strcat(expr, "; formats=");
  sq(expr, sizeof expr,
     formats == (GV_PLOT_PNG | GV_PLOT_SVG) ? "png svg" : formats == GV_PLOT_PNG ? "png" : "svg");
  if (png) { strcat(expr, "; out_png="); sq(expr, sizeof expr, png); }
  if (svg) { strcat(expr, "; out_svg="); sq(expr, sizeof expr, svg); }
  char errpath[] = "/tmp/glassvib-gnuplot-XXXXXX";
  int efd = mkstemp(errpath);
  if (efd < 0) return GV_ERROR(GV_EIO, "cannot create a temporary file: %s", strerror(errno));
  unlink(errpath);
  pid_t pid = fork();
  if (pid < 0) {
    close(efd);
    return GV_ERROR(GV_EIO, "cannot start gnuplot: %s", strerror(errno));
  }
  if (pid == 0) {
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0) { dup2(nul, 0); dup2(nul, 1); }
    dup2(efd, 2);
    char *argv[] = {(char *)"gnuplot", (char *)"-e", expr, (char *)script, NULL};
    execv(gnuplot, argv);
    _exit(127);
  }
  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0)
    if (errno != EINTR) { ws = -1; break; }
  char msg[1024] = "";
  lseek(efd, 0, SEEK_SET);
  ssize_t got = read(efd, msg, sizeof msg - 1);
  close(efd);
  msg[got > 0 ? got : 0] = '\0';
  const int ok = ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
  if (!ok) {
    for (char *p = msg; *p; p++)
      if (*p == '\n') *p = ' ';
    if (ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) == 127)
      return GV_ERROR(GV_ENOTSUP, "cannot execute gnuplot '%s'", gnuplot);
    return GV_ERROR(GV_EIO, "gnuplot failed (%s %d): %.400s", WIFSIGNALED(ws) ? "signal" : "exit",
                    WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws), msg);
  }
  if (got > 0) gv_log(GV_LOG_INFO, "gnuplot: %s", msg);
  return GV_OK;
}

/* ---------------------------------------------------------------- render */

static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int nonempty(const char *p) {
  struct stat s;
  return stat(p, &s) == 0 && s.st_size > 0;
}

int gv_plot_render(const char *const *inputs, int ninputs, const gv_plot_opts *o, gv_plot_result *r) {
  int status = GV_OK;
  pl_input *in = NULL;
  pl_fig fig;
  memset(&fig, 0, sizeof fig);
  gv_outfile fd = {0}, fs = {0}, fp = {0}, fv = {0};
  char base[4000], path_tsv[4096], path_gp[4096], path_png[4096], path_svg[4096], gnuplot[4096];
  const double t0 = gv_wall_time();
  memset(r, 0, sizeof *r);
  if (ninputs < 1) return GV_ERROR(GV_EINVAL, "no input files");
  if (!o->out || !*o->out) return GV_ERROR(GV_EINVAL, "no output name (-o)");
  int formats = o->formats;
  snprintf(base, sizeof base, "%s", o->out);
  if (has_ext(base, ".png") || has_ext(base, ".svg")) {
    if (!formats) formats = has_ext(base, ".png") ? GV_PLOT_PNG : GV_PLOT_SVG;
    base[strlen(base) - 4] = '\0';
  }
  if (!formats) formats = GV_PLOT_PNG | GV_PLOT_SVG;
  if (formats & ~(GV_PLOT_PNG | GV_PLOT_SVG)) return GV_ERROR(GV_EINVAL, "unknown image format");
  if (!*base || base[strlen(base) - 1] == '/') return GV_ERROR(GV_EINVAL, "output name '%s' has no file name", o->out);
  const char *nz = o->normalize ? o->normalize : "none";
  if (strcmp(nz, "none") && strcmp(nz, "fsum") && strcmp(nz, "peak"))
    return GV_ERROR(GV_EINVAL, "--normalize '%s': use none, fsum or peak", nz);
  if (o->mode < 0) return GV_ERROR(GV_EINVAL, "--mode %d must be >= 0", o->mode);
  snprintf(path_tsv, sizeof path_tsv, "%s.tsv", base);
  snprintf(path_gp, sizeof path_gp, "%s.gp", base);
  snprintf(path_png, sizeof path_png, "%s.png", base);
  snprintf(path_svg, sizeof path_svg, "%s.svg", base);

  /* inputs */
  GV_ALLOC(in, ninputs);
  for (int i = 0; i < ninputs; i++) {
    status = input_open(&in[i], inputs[i]);
    if (status < 0) goto cleanup;
  }
  const char *kind = o->kind;
  if (!kind) {
    kind = default_kind(in[0].kind);
    /* a glass followed by a mode file means the mode field */
    if (kind && strcmp(kind, "glass") == 0 && ninputs > 1) kind = "field";
    if (!kind) {
      status = GV_ERROR(GV_EINVAL, "%s: no figure for a glassvib '%s' file", inputs[0], in[0].kind);
      goto cleanup;
    }
  }
  int ki = -1;
  for (int k = 0; k < NKINDS; k++)
    if (strcmp(kind, kinds[k].info.name) == 0) ki = k;
  if (ki < 0) {
    status = GV_ERROR(GV_EINVAL, "unknown figure kind '%s' (glassvib plot --help lists them)", kind);
    goto cleanup;
  }
  snprintf(r->kind, sizeof r->kind, "%s", kind);

  /* outputs must not overwrite an input */
  const char *outs[4] = {path_tsv, path_gp, path_png, path_svg};
  for (int i = 0; i < ninputs; i++)
    for (int k = 0; k < 4; k++)
      if (same_file(inputs[i], outs[k])) {
        status = GV_ERROR(GV_EINVAL, "output %s would overwrite the input; choose another -o", outs[k]);
        goto cleanup;
      }
  GV_TRY(gv_plot_find_gnuplot(o->gnuplot, gnuplot, sizeof gnuplot));
  GV_TRY(gv_check_writable(path_tsv));

  /* data and script body */
  GV_TRY(gv_outfile_open(&fd, path_tsv));
  fig.data = fd.fp;
  fig.o = o;
  fig.panels = kinds[ki].panels;
  {
    char cm[8192];
    size_t len = 0;
    len += (size_t)snprintf(cm + len, sizeof cm - len, "figure kind: %s; blocks are gnuplot index 0, 1, ... (two blank lines apart)", kind);
    for (int i = 0; i < ninputs && len < sizeof cm - 100; i++)
      len += (size_t)snprintf(cm + len, sizeof cm - len, "\ninput %d: %s (%s)", i, inputs[i], in[i].kind);
    char title[64];
    snprintf(title, sizeof title, "glassvib plot: %s", kind);
    gv_tsv_header(fd.fp, title, cm, NULL, 0);
  }
  GV_TRY(kinds[ki].build(&fig, in, ninputs));
  if (fig.oom) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
  r->nseries = fig.nblocks;
  if (fig.nblocks == 0) {
    status = GV_ERROR(GV_EINVAL, "nothing to plot in the inputs");
    goto cleanup;
  }

  /* the script */
  GV_TRY(gv_outfile_open(&fs, path_gp));
  {
    FILE *g = fs.fp;
    const int w = o->width > 0 ? o->width : (fig.panels > 1 ? 1400 : 1000);
    const int h = o->height > 0 ? o->height : (fig.panels > 1 ? 600 : 720);
    fprintf(g, "# glassvib plot: %s%s%s\n", kind, fig.title[0] ? " - " : "", fig.title);
    fprintf(g, "# glassvib %s (git %s); command: %s\n", gv_version(), gv_git_hash(), gv_provenance_command_line());
    for (int i = 0; i < ninputs; i++) fprintf(g, "# input %d: %s (%s)\n", i, inputs[i], in[i].kind);
    fprintf(g, "# Re-render in this directory with `gnuplot %s` (writes %s.png and %s.svg);\n",
            pl_base(path_gp), pl_base(base), pl_base(base));
    fprintf(g, "# the plotted numbers are in %s (block k = `index k`). Restyle freely.\n", pl_base(path_tsv));
    fprintf(g, "if (!exists(\"datafile\")) datafile = \"%s\"\n", pl_base(path_tsv));
    fprintf(g, "if (!exists(\"formats\")) formats = \"png svg\"\n");
    fprintf(g, "if (!exists(\"out_png\")) out_png = \"%s\"\n", pl_base(path_png));
    fprintf(g, "if (!exists(\"out_svg\")) out_svg = \"%s\"\n", pl_base(path_svg));
    fprintf(g, "do for [fmt in formats] {\n");
    fprintf(g, "if (fmt eq \"png\") {\n  set terminal pngcairo size %d,%d enhanced font \"Sans,13\" linewidth 1.4\n"
               "} else {\n  set terminal svg size %d,%d enhanced font \"Sans,13\" linewidth 1.4 background \"white\"\n}\n",
            w, h, w, h);
    fprintf(g, "set output (fmt eq \"png\" ? out_png : out_svg)\nreset\nset encoding utf8\n");
    fprintf(g, "set border lw 1.2\nset key box opaque samplen 2.5\nset mxtics\nset mytics\n");
    fputs(fig.gp ? fig.gp : "", g);
    fprintf(g, "unset multiplot\nunset output\n}\n");
  }
  fig.data = NULL;
  /* gnuplot reads data and script under their temporary names */
  if (fflush(fd.fp) != 0) { status = GV_ERROR(GV_EIO, "cannot write %s", path_tsv); goto cleanup; }
  if (formats & GV_PLOT_PNG) GV_TRY(gv_outfile_reserve(&fp, path_png));
  if (formats & GV_PLOT_SVG) GV_TRY(gv_outfile_reserve(&fv, path_svg));
  if (fflush(fs.fp) != 0) { status = GV_ERROR(GV_EIO, "cannot write %s", path_gp); goto cleanup; }
  status = run_gnuplot(gnuplot, fs.tmp_path, fd.tmp_path, (formats & GV_PLOT_PNG) ? fp.tmp_path : NULL,
                       (formats & GV_PLOT_SVG) ? fv.tmp_path : NULL, formats);
  if (status < 0) goto cleanup;
  if (((formats & GV_PLOT_PNG) && !nonempty(fp.tmp_path)) || ((formats & GV_PLOT_SVG) && !nonempty(fv.tmp_path))) {
    status = GV_ERROR(GV_EIO, "gnuplot wrote an empty image for %s", base);
    goto cleanup;
  }
  if (formats & GV_PLOT_PNG) GV_TRY(gv_outfile_commit(&fp));
  if (formats & GV_PLOT_SVG) GV_TRY(gv_outfile_commit(&fv));
  GV_TRY(gv_outfile_commit(&fs));
  GV_TRY(gv_outfile_commit(&fd));
  snprintf(r->data, sizeof r->data, "%s", path_tsv);
  snprintf(r->script, sizeof r->script, "%s", path_gp);
  if (formats & GV_PLOT_PNG) snprintf(r->image_png, sizeof r->image_png, "%s", path_png);
  if (formats & GV_PLOT_SVG) snprintf(r->image_svg, sizeof r->image_svg, "%s", path_svg);
  r->wall_s = gv_wall_time() - t0;
cleanup:
  gv_outfile_abort(&fd);
  gv_outfile_abort(&fs);
  gv_outfile_abort(&fp);
  gv_outfile_abort(&fv);
  if (in)
    for (int i = 0; i < ninputs; i++) input_close(&in[i]);
  free(in);
  free(fig.gp);
  return status;
}
