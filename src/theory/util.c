/* Small helpers of the theory module: the bridge to a glass's moduli (c_L, c_T read from
 * the JSON summary written by `glassvib moduli --json`) and frequency-range parsing.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/core.h"
#include "glassvib/theory.h"

/* Find "key" (as a JSON object key at any depth) and parse the number after the colon. */
static int json_number(const char *text, const char *key, double *out) {
  size_t kl = strlen(key);
  const char *s = text;
  while ((s = strchr(s, '"')) != NULL) {
    if (strncmp(s + 1, key, kl) == 0 && s[1 + kl] == '"') {
      const char *c = s + 2 + kl;
      while (isspace((unsigned char)*c)) c++;
      if (*c != ':') {
        s++;
        continue;
      }
      c++;
      while (isspace((unsigned char)*c)) c++;
      char *end;
      errno = 0;
      double v = strtod(c, &end);
      if (end == c || errno || !isfinite(v)) return GV_EFORMAT;
      *out = v;
      return GV_OK;
    }
    /* skip this string token */
    const char *e = s + 1;
    while (*e && *e != '"') e += (*e == '\\' && e[1]) ? 2 : 1;
    if (!*e) break;
    s = e + 1;
  }
  return GV_EFORMAT;
}

/* The whole (small) JSON file as a string; caller frees. */
static int slurp_json(const char *path, char **out) {
  FILE *fp = fopen(path, "r");
  if (!fp) return GV_ERROR(GV_EIO, "cannot open moduli file '%s': %s", path, strerror(errno));
  size_t cap = 4096, n = 0, r;
  char *buf = malloc(cap);
  int status = GV_OK;
  if (!buf) {
    fclose(fp);
    return GV_ERROR(GV_ENOMEM, "out of memory");
  }
  while ((r = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
    n += r;
    if (n + 1 >= cap) {
      if (cap > (64u << 20)) {
        status = GV_ERROR(GV_EFORMAT, "'%s' is too large for a moduli summary", path);
        goto done;
      }
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        status = GV_ERROR(GV_ENOMEM, "out of memory");
        goto done;
      }
      buf = nb;
      cap *= 2;
    }
  }
  buf[n] = 0;
done:
  fclose(fp);
  if (status) free(buf);
  else *out = buf;
  return status;
}

int gv_theory_read_moduli_json(const char *path, double *cl, double *ct) {
  char *buf = NULL;
  int status = slurp_json(path, &buf);
  if (status) return status;
  if (json_number(buf, "c_L", cl) || json_number(buf, "c_T", ct))
    status = GV_ERROR(GV_EFORMAT, "'%s' has no numeric \"c_L\" and \"c_T\" keys", path);
  free(buf);
  return status;
}

int gv_theory_read_moduli_disorder(const char *path, double *disorder_volume) {
  char *buf = NULL;
  int status = slurp_json(path, &buf);
  if (status) return status;
  if (json_number(buf, "disorder_volume", disorder_volume) || !(*disorder_volume > 0))
    status = GV_ERROR(GV_EFORMAT, "'%s' has no positive \"disorder_volume\" (run glassvib moduli --local)", path);
  free(buf);
  return status;
}

int gv_theory_parse_range(const char *s, double **w, size_t *n) {
  double v[3];
  const char *p = s;
  for (int i = 0; i < 3; i++) {
    char *end;
    errno = 0;
    v[i] = strtod(p, &end);
    if (end == p || errno || !isfinite(v[i]))
      return GV_ERROR(GV_EINVAL, "'%s' is not a range W1:W2:DW", s);
    p = end;
    if (i < 2) {
      if (*p != ':') return GV_ERROR(GV_EINVAL, "'%s' is not a range W1:W2:DW", s);
      p++;
    }
  }
  if (*p) return GV_ERROR(GV_EINVAL, "'%s' is not a range W1:W2:DW", s);
  if (v[0] < 0) return GV_ERROR(GV_EINVAL, "range '%s': W1 = %g must be >= 0", s, v[0]);
  if (!(v[1] > v[0])) return GV_ERROR(GV_EINVAL, "range '%s' is empty or inverted (W2 <= W1)", s);
  if (!(v[2] > 0)) return GV_ERROR(GV_EINVAL, "range '%s': step DW = %g must be > 0", s, v[2]);
  double cnt = floor((v[1] - v[0]) / v[2] * (1 + 1e-12)) + 1;
  if (cnt < 2) return GV_ERROR(GV_EINVAL, "range '%s' holds fewer than 2 points", s);
  if (cnt > 1e8) return GV_ERROR(GV_EINVAL, "range '%s' holds too many points (%.0f)", s, cnt);
  size_t m = (size_t)cnt;
  double *x = malloc(m * sizeof *x);
  if (!x) return GV_ERROR(GV_ENOMEM, "out of memory");
  for (size_t i = 0; i < m; i++) x[i] = v[0] + (double)i * v[2];
  *w = x;
  *n = m;
  return GV_OK;
}
