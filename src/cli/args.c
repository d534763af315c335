/* Table-driven argument parsing: flags, ranges, --help, all from gv_arg tables. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

void gv_cli_help(const gv_cmd_spec *spec, const gv_arg *args) {
  printf("usage: glassvib %s %s\n\n%s\n\noptions:\n", spec->name, spec->usage, spec->summary);
  for (const gv_arg *a = args; a->name; a++) {
    char lhs[64];
    if (a->short_name)
      snprintf(lhs, sizeof lhs, "-%c, --%s%s%s", a->short_name, a->name, a->meta ? " " : "",
               a->meta ? a->meta : "");
    else
      snprintf(lhs, sizeof lhs, "    --%s%s%s", a->name, a->meta ? " " : "", a->meta ? a->meta : "");
    printf("  %-28s %s%s\n", lhs, a->help, a->required ? " [required]" : "");
  }
  printf("  %-28s %s\n", "-h, --help", "show this help");
}

static gv_arg *find_long(gv_arg *args, const char *name, size_t len) {
  for (gv_arg *a = args; a->name; a++)
    if (strlen(a->name) == len && strncmp(a->name, name, len) == 0) return a;
  return NULL;
}
static gv_arg *find_short(gv_arg *args, char c) {
  for (gv_arg *a = args; a->name; a++)
    if (a->short_name == c) return a;
  return NULL;
}

static int bad(const gv_cmd_spec *spec, const char *fmt, const char *x, const char *y) {
  fprintf(stderr, "glassvib %s: ", spec->name);
  fprintf(stderr, fmt, x, y);
  fprintf(stderr, " (see glassvib %s --help)\n", spec->name);
  return GV_EINVAL;
}

static int store(const gv_cmd_spec *spec, gv_arg *a, const char *val) {
  char *end;
  errno = 0;
  switch (a->type) {
  case GV_ARG_FLAG: *(int *)a->dest = 1; break;
  case GV_ARG_STRING:
    if (!*val) return bad(spec, "--%s needs a non-empty value%s", a->name, "");
    *(const char **)a->dest = val;
    break;
  case GV_ARG_SEED: {
    unsigned long long s = strtoull(val, &end, 0);
    if (*end || end == val || errno || val[0] == '-')
      return bad(spec, "--%s expects a non-negative integer, got '%s'", a->name, val);
    *(uint64_t *)a->dest = s;
    break;
  }
  case GV_ARG_INT: {
    /* Accept 1e7-style integers too. */
    double d = strtod(val, &end);
    if (*end || end == val || errno || !isfinite(d) || d != floor(d) || fabs(d) > 9.0e18)
      return bad(spec, "--%s expects an integer, got '%s'", a->name, val);
    if (a->min <= a->max && (d < a->min || d > a->max)) {
      char range[96];
      snprintf(range, sizeof range, "'%s' outside [%.15g, %.15g]", val, a->min, a->max);
      return bad(spec, "--%s: %s", a->name, range);
    }
    *(long long *)a->dest = (long long)d;
    break;
  }
  case GV_ARG_DOUBLE: {
    double d = strtod(val, &end);
    if (*end || end == val || errno || !isfinite(d))
      return bad(spec, "--%s expects a finite number, got '%s'", a->name, val);
    if (a->min <= a->max && (d < a->min || d > a->max)) {
      char range[96];
      snprintf(range, sizeof range, "'%s' outside [%.15g, %.15g]", val, a->min, a->max);
      return bad(spec, "--%s: %s", a->name, range);
    }
    *(double *)a->dest = d;
    break;
  }
  }
  a->given = 1;
  return GV_OK;
}

int gv_cli_parse(const gv_cmd_spec *spec, gv_arg *args, int argc, char **argv,
                 const char ***pos, int *npos) {
  static const char *positional[4096];
  int np = 0;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
      gv_cli_help(spec, args);
      return 1;
    }
    if (strcmp(s, "--") == 0) {
      for (i++; i < argc && np < 4096; i++) positional[np++] = argv[i];
      break;
    }
    gv_arg *a = NULL;
    const char *val = NULL;
    if (s[0] == '-' && s[1] == '-') {
      const char *eq = strchr(s + 2, '=');
      size_t len = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
      a = find_long(args, s + 2, len);
      if (!a) return bad(spec, "unknown option '%s'%s", s, "");
      if (eq) val = eq + 1;
    } else if (s[0] == '-' && s[1] && !s[2] && !(s[1] >= '0' && s[1] <= '9')) {
      a = find_short(args, s[1]);
      if (!a) return bad(spec, "unknown option '%s'%s", s, "");
    } else {
      if (np >= 4096) return bad(spec, "too many arguments%s%s", "", "");
      positional[np++] = s;
      continue;
    }
    if (a->type == GV_ARG_FLAG) {
      if (val) return bad(spec, "--%s takes no value%s", a->name, "");
      *(int *)a->dest = 1;
      a->given = 1;
      continue;
    }
    if (!val) {
      if (i + 1 >= argc) return bad(spec, "--%s needs a value%s", a->name, "");
      val = argv[++i];
    }
    int status = store(spec, a, val);
    if (status) return status;
  }
  for (gv_arg *a = args; a->name; a++)
    if (a->required && !a->given) return bad(spec, "missing required option --%s%s", a->name, "");
  if (np < spec->min_positional)
    return bad(spec, "expected %s input file(s)%s",
               spec->min_positional == 1 ? "an" : "more", "");
  if (spec->max_positional >= 0 && np > spec->max_positional)
    return bad(spec, "unexpected argument '%s'%s", positional[spec->max_positional], "");
  if (pos) *pos = positional;
  if (npos) *npos = np;
  /* The shared options act here, once, for every command. */
  for (gv_arg *a = args; a->name; a++) {
    if (strcmp(a->name, "threads") == 0 && a->given) gv_cli_set_threads(*(long long *)a->dest);
    if (strcmp(a->name, "quiet") == 0 && a->given) gv_log_set_level(GV_LOG_QUIET);
  }
  return GV_OK;
}

int gv_cli_fail(const char *cmd, int status) {
  const char *msg = gv_error_message();
  if (!msg || !*msg) msg = gv_status_name(status);
  fprintf(stderr, "glassvib %s: %s\n", cmd, msg);
  if (getenv("GV_DEBUG")) fprintf(stderr, "  (raised at %s)\n", gv_error_where());
  return status == GV_NOT_CONVERGED ? 3 : status == GV_EINTERRUPTED ? 130 : 1;
}

void gv_cli_set_threads(long long threads) {
  if (threads > 0) omp_set_num_threads((int)threads);
}
