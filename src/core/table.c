/* TSV tables: a '#' header (provenance, comments, column names with units),
 * then whitespace-separated numbers. Also small parsing utilities. */
#include "glassvib/core.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void gv_tsv_header(FILE *fp, const char *title, const char *comments, const char *const *columns,
                   int ncol) {
  char date[64];
  gv_provenance_date(date, sizeof date);
  fprintf(fp, "# %s\n", title ? title : "glassvib table");
  fprintf(fp, "# glassvib %s (git %s), %s\n", gv_version(), gv_git_hash(), date);
  fprintf(fp, "# command: %s\n", gv_provenance_command_line());
  if (comments) {
    const char *s = comments;
    while (*s) {
      const char *e = strchr(s, '\n');
      size_t len = e ? (size_t)(e - s) : strlen(s);
      fprintf(fp, "# %.*s\n", (int)len, s);
      s += len;
      if (*s == '\n') s++;
    }
  }
  fputs("# ", fp);
  for (int c = 0; c < ncol; c++) fprintf(fp, c ? "\t%s" : "%s", columns[c]);
  fputc('\n', fp);
}

int gv_tsv_read(const char *path, double **data, size_t *nrow, size_t *ncol) {
  FILE *fp = fopen(path, "r");
  if (!fp) return GV_ERROR(GV_EIO, "cannot open '%s': %s", path, strerror(errno));
  size_t cap = 1024, n = 0, nc = 0, line_no = 0;
  double *buf = malloc(cap * sizeof *buf);
  char *line = NULL;
  size_t lcap = 0;
  int status = GV_OK;
  if (!buf) { fclose(fp); return GV_ERROR(GV_ENOMEM, "out of memory"); }
  while (getline(&line, &lcap, fp) > 0) {
    line_no++;
    char *s = line;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '#' || *s == '\n' || *s == '\0') continue;
    size_t c = 0;
    for (;;) {
      char *end;
      double v = strtod(s, &end);
      if (end == s) break;
      if (n + 1 > cap) {
        cap *= 2;
        double *nb = realloc(buf, cap * sizeof *buf);
        if (!nb) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto done; }
        buf = nb;
      }
      buf[n++] = v;
      c++;
      s = end;
    }
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    if (*s) { status = GV_ERROR(GV_EFORMAT, "%s:%zu: not a number: '%.20s'", path, line_no, s); goto done; }
    if (nc == 0) nc = c;
    else if (c != nc) {
      status = GV_ERROR(GV_EFORMAT, "%s:%zu: %zu columns, expected %zu", path, line_no, c, nc);
      goto done;
    }
  }
  if (nc == 0) status = GV_ERROR(GV_EFORMAT, "'%s' holds no data rows", path);
done:
  free(line);
  fclose(fp);
  if (status) { free(buf); return status; }
  *data = buf;
  *ncol = nc;
  *nrow = n / nc;
  return GV_OK;
}

int gv_parse_double_list(const char *s, double **out, size_t *n) {
  size_t cap = 1;
  for (const char *p = s; *p; p++) cap += (*p == ',');
  double *v = malloc(cap * sizeof *v);
  if (!v) return GV_ERROR(GV_ENOMEM, "out of memory");
  size_t k = 0;
  const char *p = s;
  while (*p) {
    char *end;
    errno = 0;
    double x = strtod(p, &end);
    if (end == p || errno || !isfinite(x)) {
      free(v);
      return GV_ERROR(GV_EINVAL, "'%s' is not a comma-separated list of numbers", s);
    }
    v[k++] = x;
    p = end;
    if (*p == ',') p++;
    else if (*p) {
      free(v);
      return GV_ERROR(GV_EINVAL, "'%s' is not a comma-separated list of numbers", s);
    }
  }
  if (k == 0) {
    free(v);
    return GV_ERROR(GV_EINVAL, "empty list");
  }
  *out = v;
  *n = k;
  return GV_OK;
}

int gv_is_finite_array(const double *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return 0;
  return 1;
}
