/* Private helpers shared by the glass readers and writers (src/io/glass_*.c). */
#ifndef GV_GLASS_INTERNAL_H
#define GV_GLASS_INTERNAL_H

#include <stdio.h>

#include "glassvib/glass.h"

int gv_glass_read_h5(const char *path, gv_glass *g);
int gv_glass_write_h5(const char *path, const gv_glass *g);
int gv_glass_read_dat(const char *path, const char *model_name, int dim, gv_glass *g);
int gv_glass_read_xyz(const char *path, const char *model_name, int dim, gv_glass *g);
int gv_glass_write_xyz(const char *path, const gv_glass *g);
int gv_glass_read_data(const char *path, const char *model_name, int dim, gv_glass *g);
int gv_glass_write_data(const char *path, const gv_glass *g);

/* "key=value key2=\"v1 v2\"" model/state description used in .xyz comments and
 * the first line of .data files. */
void gv_glass_kv_write(FILE *fp, const gv_glass *g);
/* Find key in a key=value line; copies the (unquoted) value. 1 if found. */
int gv_glass_kv_get(const char *line, const char *key, char *val, size_t n);
/* Build g->model from the key=value line (model name/dim may be overridden by
 * the caller's arguments when given). Reads state and seed if present. */
int gv_glass_kv_apply(const char *line, const char *model_name, int dim, gv_glass *g);

/* Read a whole text file (NUL-terminated); GV_EIO if missing. */
int gv_glass_slurp(const char *path, char **text, size_t *len);
#endif
