/* Bench helper: an R^d periodic replica of a glass (an inherent state stays an
 * inherent state: every particle keeps its environment). Used to time N =
 * 128000 from the N = 16000 glass without a long quench; its spectrum has
 * exact multiplicities (the copies), which makes the Lanczos work harder, so
 * the timing is conservative. usage: replicate IN.h5 R OUT.h5 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/glassvib.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: replicate IN.h5 R OUT.h5\n");
    return 2;
  }
  int R = atoi(argv[2]);
  gv_glass g, o;
  if (gv_glass_read(argv[1], NULL, 0, &g)) {
    fprintf(stderr, "replicate: %s\n", gv_error_message());
    return 1;
  }
  const int d = g.sys->dim;
  long copies = 1;
  for (int a = 0; a < d; a++) copies *= R;
  o = g;
  o.sys = NULL;
  int poly = g.sys->size != NULL;
  if (gv_system_create(&o.sys, d, g.sys->n * copies, 0, !poly, poly)) return 1;
  double h[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  for (int a = 0; a < d; a++)
    for (int b = 0; b < d; b++) h[a][b] = R * g.sys->box.h[a][b];
  gv_box_init(&o.sys->box, d, h);
  long k = 0;
  for (long c = 0; c < copies; c++) {
    int n[GV_MAX_DIM];
    long t = c;
    for (int a = 0; a < d; a++) n[a] = (int)(t % R), t /= R;
    for (long i = 0; i < g.sys->n; i++, k++) {
      for (int a = 0; a < d; a++) {
        double x = g.sys->x[i * d + a];
        for (int b = 0; b < d; b++) x += g.sys->box.h[a][b] * n[b];
        o.sys->x[k * d + a] = x;
      }
      if (poly) o.sys->size[k] = g.sys->size[i];
      else o.sys->type[k] = g.sys->type[i];
    }
  }
  if (gv_glass_evaluate(&o) || gv_glass_write(argv[3], &o)) {
    fprintf(stderr, "replicate: %s\n", gv_error_message());
    return 1;
  }
  printf("N=%ld E/N=%.10f (original %.10f) max_force=%.2e\n", o.sys->n, o.state.energy / o.sys->n,
         g.state.energy / g.sys->n, o.state.max_force);
  gv_glass_free(&g);
  gv_glass_free(&o);
  return 0;
}
