/* glassvib plot INPUT... [-o OUT.png|OUT.svg|OUT] [--kind K] [--title T] [--json]:
 * figures from glassvib output files through gnuplot (library: glassvib/plot.h,
 * docs/plot.md). Writes OUT.png and/or OUT.svg, the plotted numbers OUT.tsv and
 * the gnuplot script OUT.gp. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/plot.h"

static void list_kinds(void) {
  int n = 0;
  const gv_plot_kind_info *k = gv_plot_kinds(&n);
  printf("%-15s %-48s %s\n", "kind", "inputs", "figure");
  for (int i = 0; i < n; i++) printf("%-15s %-48s %s\n", k[i].name, k[i].inputs, k[i].summary);
}

/* Default output base: stem of the first input + "_" + kind, in the current directory. */
static void default_out(const char *input, const char *kind, char *buf, size_t n) {
  const char *b = strrchr(input, '/');
  b = b ? b + 1 : input;
  const char *dot = strrchr(b, '.');
  size_t len = dot && dot != b ? (size_t)(dot - b) : strlen(b);
  snprintf(buf, n, "%.*s_%s", (int)len, b, kind);
}

int gv_cmd_plot(int argc, char **argv) {
  const char *out = NULL, *kind = NULL, *title = NULL, *format = NULL, *normalize = "none";
  long long mode = 0, width = 0, height = 0;
  int json = 0, quiet = 0, list = 0;
  gv_arg args[] = {
      GV_ARG_OUT(&out, "image OUT.png or OUT.svg (that format only) or base OUT (both); also writes OUT.tsv, OUT.gp "
                       "(default: <first input stem>_<kind>)"),
      {"kind", 0, GV_ARG_STRING, &kind, "K", "figure kind (default: detected from the first input; --list-kinds)", GV_NO_RANGE, 0, 0},
      {"title", 0, GV_ARG_STRING, &title, "T", "figure title (default: none for one input)", GV_NO_RANGE, 0, 0},
      {"format", 0, GV_ARG_STRING, &format, "F", "png, svg or png,svg (default: from the -o extension, else both)", GV_NO_RANGE, 0, 0},
      {"mode", 0, GV_ARG_INT, &mode, "I", "field: index of the mode or response to draw (default 0)", 0, 1e9, 0, 0},
      {"normalize", 0, GV_ARG_STRING, &normalize, "N", "sqw-cuts: none (default), fsum (int w^2 S dw = 1) or peak", GV_NO_RANGE, 0, 0},
      {"width", 0, GV_ARG_INT, &width, "PX", "image width in pixels (default 1000, 1400 for two panels)", 100, 10000, 0, 0},
      {"height", 0, GV_ARG_INT, &height, "PX", "image height in pixels (default 720, 600 for two panels)", 100, 10000, 0, 0},
      {"list-kinds", 0, GV_ARG_FLAG, &list, NULL, "print the figure kinds and the inputs they take", GV_NO_RANGE, 0, 0},
      GV_ARG_JSON(&json),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  static char summary[4096];
  {
    int n = 0;
    const gv_plot_kind_info *k = gv_plot_kinds(&n);
    size_t len = (size_t)snprintf(summary, sizeof summary,
        "Draw a figure from glassvib output files with gnuplot (pngcairo/svg; env GV_GNUPLOT names another "
        "gnuplot). The kind is detected from the first input (TSV title line or HDF5 /provenance/kind); several "
        "inputs are overlaid. Axes are in model units. Writes OUT.png and/or OUT.svg, the plotted data OUT.tsv "
        "and the gnuplot script OUT.gp (re-render: gnuplot OUT.gp). JSON keys: kind, images, data, script, "
        "series, wall_s. Kinds:");
    for (int i = 0; i < n && len < sizeof summary - 64; i++)
      len += (size_t)snprintf(summary + len, sizeof summary - len, "%s %s", i ? "," : "", k[i].name);
    snprintf(summary + len, sizeof summary - len, ".");
  }
  gv_cmd_spec spec = {"plot", "INPUT... [-o OUT.png|OUT.svg|OUT] [--kind K] [--title T] [--json]", summary, 0, -1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  if (list) {
    list_kinds();
    return 0;
  }
  if (npos < 1) {
    fprintf(stderr, "glassvib plot: no input files (glassvib plot --help)\n");
    return 2;
  }
  gv_plot_opts o;
  gv_plot_opts_init(&o);
  o.kind = kind;
  o.title = title;
  o.mode = (int)mode;
  o.normalize = normalize;
  o.width = (int)width;
  o.height = (int)height;
  o.gnuplot = getenv("GV_GNUPLOT");
  if (format) {
    if (!strcmp(format, "png")) o.formats = GV_PLOT_PNG;
    else if (!strcmp(format, "svg")) o.formats = GV_PLOT_SVG;
    else if (!strcmp(format, "png,svg") || !strcmp(format, "svg,png")) o.formats = GV_PLOT_PNG | GV_PLOT_SVG;
    else {
      fprintf(stderr, "glassvib plot: --format '%s': use png, svg or png,svg\n", format);
      return 2;
    }
  }
  char outbuf[4096];
  if (!out) {
    char k[32];
    if (kind) snprintf(k, sizeof k, "%s", kind);
    else {
      int status = gv_plot_detect(pos[0], k, sizeof k);
      if (status < 0) return gv_cli_fail("plot", status);
    }
    default_out(pos[0], k, outbuf, sizeof outbuf);
    out = outbuf;
  }
  o.out = out;
  gv_plot_result r;
  int status = gv_plot_render(pos, npos, &o, &r);
  if (status < 0) return gv_cli_fail("plot", status);
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_str(&j, "kind", r.kind);
    gv_json_array_begin(&j, "images");
    if (r.image_png[0]) gv_json_str(&j, NULL, r.image_png);
    if (r.image_svg[0]) gv_json_str(&j, NULL, r.image_svg);
    gv_json_array_end(&j);
    gv_json_str(&j, "data", r.data);
    gv_json_str(&j, "script", r.script);
    gv_json_int(&j, "series", r.nseries);
    gv_json_num(&j, "wall_s", r.wall_s);
    gv_json_end(&j);
  } else if (!quiet) {
    printf("%s: %s%s%s (data %s, script %s)\n", r.kind, r.image_png, r.image_png[0] && r.image_svg[0] ? ", " : "",
           r.image_svg, r.data, r.script);
  }
  return 0;
}
