/* Reading glassvib outputs for plotting: TSV tables with their '#' header
 * (title, free comment lines holding fitted numbers, column names with units)
 * and HDF5 datasets; plus the small text helpers the figure builders share. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plot_internal.h"

void pl_table_free(pl_table *t) {
  if (!t) return;
  free(t->header);
  if (t->cols)
    for (int c = 0; c < t->ncol; c++) free(t->cols[c]);
  free(t->cols);
  free(t->v);
  memset(t, 0, sizeof *t);
}

/* Split the column-name line on tabs (or runs of spaces if there is no tab). */
static int split_cols(const char *line, pl_table *t) {
  int status = GV_OK;
  const int tabs = strchr(line, '\t') != NULL;
  int cap = 8, n = 0;
  char **cols = NULL;
  GV_ALLOC(cols, cap);
  const char *s = line;
  while (*s) {
    while (*s == (tabs ? '\t' : ' ')) s++;
    if (!*s) break;
    const char *e = s;
    while (*e && *e != (tabs ? '\t' : ' ')) e++;
    if (n == cap) {
      char **nc = realloc(cols, 2 * (size_t)cap * sizeof *nc);
      if (!nc) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
      cols = nc;
      cap *= 2;
    }
    cols[n] = strndup(s, (size_t)(e - s));
    if (!cols[n]) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
    n++;
    s = e;
  }
  t->cols = cols;
  t->ncol = n;
  return GV_OK;
cleanup:
  if (cols)
    for (int c = 0; c < n; c++) free(cols[c]);
  free(cols);
  return status;
}

int pl_table_read(const char *path, pl_table *t) {
  int status = GV_OK;
  memset(t, 0, sizeof *t);
  FILE *fp = fopen(path, "r");
  if (!fp) return GV_ERROR(GV_EIO, "cannot open '%s': %s", path, strerror(errno));
  char *line = NULL, *last = NULL;
  size_t lcap = 0, hlen = 0, hcap = 1024;
  int first = 1;
  t->header = malloc(hcap);
  if (!t->header) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
  t->header[0] = '\0';
  ssize_t len;
  while ((len = getline(&line, &lcap, fp)) > 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (line[0] != '#') {
      const char *s = line;
      while (isspace((unsigned char)*s)) s++;
      if (*s) break; /* first data line: the header is over */
      continue;
    }
    const char *s = line + 1;
    if (*s == ' ') s++;
    if (first) {
      snprintf(t->title, sizeof t->title, "%s", s);
      if (strncmp(s, "glassvib ", 9) == 0) {
        const char *c = s + 9, *e = strchr(c, ':');
        if (e && (size_t)(e - c) < sizeof t->cmd && !memchr(c, ' ', (size_t)(e - c)))
          snprintf(t->cmd, sizeof t->cmd, "%.*s", (int)(e - c), c);
      }
      first = 0;
    }
    size_t sl = strlen(s);
    if (hlen + sl + 2 > hcap) {
      while (hlen + sl + 2 > hcap) hcap *= 2;
      char *nh = realloc(t->header, hcap);
      if (!nh) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
      t->header = nh;
    }
    memcpy(t->header + hlen, s, sl);
    hlen += sl;
    t->header[hlen++] = '\n';
    t->header[hlen] = '\0';
    free(last);
    last = strdup(s);
    if (!last) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
  }
  fclose(fp);
  fp = NULL;
  if (first || !last) {
    status = GV_ERROR(GV_EFORMAT, "'%s' is not a glassvib table (no '#' header)", path);
    goto cleanup;
  }
  GV_TRY(split_cols(last, t));
  size_t nc = 0;
  status = gv_tsv_read(path, &t->v, &t->nrow, &nc);
  if (status < 0) goto cleanup;
  if ((int)nc != t->ncol) {
    status = GV_ERROR(GV_EFORMAT, "'%s': %zu data columns but %d column names", path, nc, t->ncol);
    goto cleanup;
  }
cleanup:
  if (fp) fclose(fp);
  free(line);
  free(last);
  if (status < 0) pl_table_free(t);
  return status;
}

int pl_table_col(const pl_table *t, const char *prefix) {
  const size_t n = strlen(prefix);
  for (int c = 0; c < t->ncol; c++)
    if (strncmp(t->cols[c], prefix, n) == 0 &&
        (t->cols[c][n] == '\0' || t->cols[c][n] == '[' || t->cols[c][n] == '='))
      return c;
  return -1;
}

/* Find `key` as a whole word in the header; returns the text after it. */
static const char *find_key(const char *h, const char *key) {
  const size_t n = strlen(key);
  /* first pass: the key opens a line ("A_g 0.0037 +- ..."); second: anywhere */
  for (int pass = 0; pass < 2; pass++)
    for (const char *p = h; (p = strstr(p, key)) != NULL; p += n) {
      const int before_ok = pass == 0 ? (p == h || p[-1] == '\n')
                                      : (p == h || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'));
      const char a = p[n];
      const int after_ok = !(isalnum((unsigned char)a) || a == '_' || a == '(' || a == '[');
      if (before_ok && after_ok) return p + n;
    }
  return NULL;
}

int pl_header_num(const pl_table *t, const char *key, double *v) {
  const char *p = t->header ? find_key(t->header, key) : NULL;
  if (!p) return -1;
  while (*p == ' ' || *p == '=' || *p == ':' || *p == '\t') p++;
  char *e;
  errno = 0;
  double x = strtod(p, &e);
  if (e == p) return -1;
  *v = x;
  return 0;
}

int pl_header_range(const pl_table *t, const char *key, double *lo, double *hi) {
  const char *p = t->header ? find_key(t->header, key) : NULL;
  if (!p) return -1;
  const char *nl = strchr(p, '\n');
  const char *b = strchr(p, '[');
  if (!b || (nl && b > nl)) return -1;
  char *e;
  *lo = strtod(b + 1, &e);
  if (e == b + 1) return -1;
  while (*e == ',' || *e == ' ') e++;
  char *e2;
  *hi = strtod(e, &e2);
  return e2 == e ? -1 : 0;
}

int pl_h5_doubles(gv_h5 *h, const char *path, double **v, size_t *n, int *rank, size_t *dims) {
  size_t d[4] = {0, 0, 0, 0};
  int r = 0;
  if (!gv_h5_exists(h, path))
    return GV_ERROR(GV_EFORMAT, "%s: no dataset %s", gv_h5_path(h), path);
  int status = gv_h5_read_doubles(h, path, v, &r, d);
  if (status < 0) return status;
  size_t tot = 1;
  for (int k = 0; k < r; k++) tot *= d[k];
  if (n) *n = tot;
  if (rank) *rank = r;
  if (dims) memcpy(dims, d, sizeof d);
  return GV_OK;
}

/* ------------------------------------------------------------ figure text */

int pl_block(pl_fig *f, const char *desc, const char *cols) {
  if (f->nblocks > 0) fputs("\n\n", f->data);
  fprintf(f->data, "# block %d: %s\n", f->nblocks, desc ? desc : "");
  if (cols) fprintf(f->data, "# %s\n", cols);
  return f->nblocks++;
}

static void gp_append(pl_fig *f, const char *s, size_t n) {
  if (f->oom) return;
  if (f->len + n + 1 > f->cap) {
    size_t cap = f->cap ? f->cap : 4096;
    while (f->len + n + 1 > cap) cap *= 2;
    char *g = realloc(f->gp, cap);
    if (!g) { f->oom = 1; return; }
    f->gp = g;
    f->cap = cap;
  }
  memcpy(f->gp + f->len, s, n);
  f->len += n;
  f->gp[f->len] = '\0';
}

void pl_gp(pl_fig *f, const char *fmt, ...) {
  char small[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) { gp_append(f, small, (size_t)n); return; }
  char *big = malloc((size_t)n + 1);
  if (!big) { f->oom = 1; return; }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  gp_append(f, big, (size_t)n);
  free(big);
}

void pl_gp_str(pl_fig *f, const char *s) {
  gp_append(f, "\"", 1);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') gp_append(f, "\\", 1);
    if (*s == '\n') { gp_append(f, " ", 1); continue; }
    /* enhanced-text operators nobody means in a label (~ overprints, @ and &
     * space): "\\~" in a double-quoted string is a literal ~ ( ^ and _ stay live) */
    if (*s == '~' || *s == '@' || *s == '&') gp_append(f, "\\\\", 2);
    gp_append(f, s, 1);
  }
  gp_append(f, "\"", 1);
}

/* Known units of glassvib tables, written for gnuplot's enhanced text. */
const char *pl_unit(const char *raw, char *buf, size_t n) {
  static const char *map[][2] = {
      {"sqrt(eps/m)/lambda", "(ε/m)^{1/2}/λ"},
      {"eps/lambda^2", "ε/λ^2"},
      {"eps/lambda", "ε/λ"},
      {"eps/A^2", "ε/A^2"},
      {"eps/A^4", "ε/A^4"},
      {"1/lambda", "λ^{-1}"},
      {"lambda", "λ"},
      {"eps", "ε"},
      {"lambda^2", "λ^2"},
      {"dimensionless", ""},
      {"1/kappa", "1/κ"},
  };
  for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
    if (strcmp(raw, map[k][0]) == 0) {
      snprintf(buf, n, "%s", map[k][1]);
      return buf;
    }
  /* unknown: protect enhanced-text control characters */
  size_t j = 0;
  for (const char *s = raw; *s && j + 3 < n; s++) {
    if (*s == '_' || *s == '^' || *s == '{' || *s == '}' || *s == '@' || *s == '&' || *s == '~')
      buf[j++] = '\\';
    buf[j++] = *s;
  }
  buf[j] = '\0';
  return buf;
}

const char *pl_col_unit(const pl_table *t, int c, char *buf, size_t n) {
  buf[0] = '\0';
  if (c < 0 || c >= t->ncol) return buf;
  const char *b = strchr(t->cols[c], '['), *e = b ? strrchr(b, ']') : NULL;
  if (!b || !e) return buf;
  char raw[128];
  snprintf(raw, sizeof raw, "%.*s", (int)(e - b - 1), b + 1);
  return pl_unit(raw, buf, n);
}

const char *pl_base(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

void pl_gp_title(pl_fig *f, const char *deflt) {
  const char *t = f->o->title ? f->o->title : deflt;
  snprintf(f->title, sizeof f->title, "%s", t ? t : "");
  if (t && *t) {
    pl_gp(f, "set title ");
    pl_gp_str(f, t);
    pl_gp(f, "\n");
  }
}

const char *pl_color(int k) {
  static const char *c[] = {"#c0392b", "#2c6fbb", "#1e8449", "#d68910", "#7d3c98",
                            "#17a589", "#7f8c8d", "#e84393", "#34495e", "#a04000"};
  return c[k % 10];
}

int pl_header_pm(const pl_table *t, const char *key, double *err) {
  const char *p = t->header ? find_key(t->header, key) : NULL;
  if (!p) return -1;
  const char *nl = strchr(p, '\n'), *pm = strstr(p, "+-");
  if (!pm || (nl && pm > nl)) return -1;
  char *e;
  double x = strtod(pm + 2, &e);
  if (e == pm + 2) return -1;
  *err = x;
  return 0;
}

void pl_gp_prepend_labels(pl_fig *f, const char *xl, const char *yl) {
  char *body = f->gp;
  size_t blen = f->len;
  f->gp = NULL;
  f->len = f->cap = 0;
  if (xl) { pl_gp(f, "set xlabel "); pl_gp_str(f, xl); pl_gp(f, "\n"); }
  if (yl) { pl_gp(f, "set ylabel "); pl_gp_str(f, yl); pl_gp(f, "\n"); }
  pl_gp(f, "%.*s", (int)blen, body ? body : "");
  free(body);
}
