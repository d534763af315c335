/* GV_NALLOC: GV_ALLOC for a count that is an expression such as n * m (core's
 * macro tests `(size_t)(count) ?`, which GCC flags as '*' in boolean context). */
#ifndef GV_LINALG_ALLOC_H
#define GV_LINALG_ALLOC_H
#include "glassvib/core.h"
#define GV_NALLOC(ptr, count)                                                              \
  do {                                                                                     \
    size_t gv_nalloc_count_ = (size_t)(count);                                             \
    GV_ALLOC(ptr, gv_nalloc_count_);                                                       \
  } while (0)
#endif
