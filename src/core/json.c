/* A small streaming JSON writer for --json summaries (one object on stdout). */
#include "glassvib/core.h"

#include <math.h>

static void sep(gv_json *j, const char *key) {
  if (!j->first[j->depth]) fputc(',', j->fp);
  j->first[j->depth] = 0;
  if (key) {
    fputc('"', j->fp);
    fputs(key, j->fp);
    fputs("\":", j->fp);
  }
}

static void put_num(FILE *fp, double v) {
  if (isfinite(v)) fprintf(fp, "%.17g", v);
  else fputs("null", fp);
}

static void put_str(FILE *fp, const char *s) {
  fputc('"', fp);
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(fp, "\\%c", c);
    else if (c == '\n') fputs("\\n", fp);
    else if (c == '\t') fputs("\\t", fp);
    else if (c < 0x20) fprintf(fp, "\\u%04x", c);
    else fputc(c, fp);
  }
  fputc('"', fp);
}

void gv_json_begin(gv_json *j, FILE *fp) {
  j->fp = fp;
  j->depth = 0;
  j->first[0] = 1;
  fputc('{', fp);
}
void gv_json_end(gv_json *j) {
  fputs("}\n", j->fp);
  fflush(j->fp);
}
void gv_json_num(gv_json *j, const char *key, double v) {
  sep(j, key);
  put_num(j->fp, v);
}
void gv_json_int(gv_json *j, const char *key, long long v) {
  sep(j, key);
  fprintf(j->fp, "%lld", v);
}
void gv_json_bool(gv_json *j, const char *key, int v) {
  sep(j, key);
  fputs(v ? "true" : "false", j->fp);
}
void gv_json_str(gv_json *j, const char *key, const char *s) {
  sep(j, key);
  put_str(j->fp, s);
}
void gv_json_null(gv_json *j, const char *key) {
  sep(j, key);
  fputs("null", j->fp);
}
void gv_json_array_num(gv_json *j, const char *key, const double *v, size_t n) {
  sep(j, key);
  fputc('[', j->fp);
  for (size_t i = 0; i < n; i++) {
    if (i) fputc(',', j->fp);
    put_num(j->fp, v[i]);
  }
  fputc(']', j->fp);
}
void gv_json_array_int(gv_json *j, const char *key, const long long *v, size_t n) {
  sep(j, key);
  fputc('[', j->fp);
  for (size_t i = 0; i < n; i++) fprintf(j->fp, i ? ",%lld" : "%lld", v[i]);
  fputc(']', j->fp);
}
static void open_nested(gv_json *j, const char *key, char c) {
  sep(j, key);
  fputc(c, j->fp);
  if (j->depth < 15) j->depth++;
  j->first[j->depth] = 1;
}
void gv_json_object_begin(gv_json *j, const char *key) { open_nested(j, key, '{'); }
void gv_json_array_begin(gv_json *j, const char *key) { open_nested(j, key, '['); }
void gv_json_object_end(gv_json *j) {
  fputc('}', j->fp);
  if (j->depth > 0) j->depth--;
}
void gv_json_array_end(gv_json *j) {
  fputc(']', j->fp);
  if (j->depth > 0) j->depth--;
}
