/* Half Verlet lists built from a cell list in fractional coordinates.
 *
 * Cells: axis a of the box is cut into m_a = floor(w_a / (r_max + skin)) slabs,
 * where w_a = 1/|row a of h^-1| is the distance between the faces normal to a;
 * two particles closer than r_max + skin are then in the same or adjacent slabs
 * along every axis, in any triclinic cell. Axes with fewer than 3 slabs are not
 * split (m_a = 1) so that no neighbour cell is visited twice: the list stays
 * exact for small boxes at the price of more candidates there.
 *
 * Two views of the same pairs are kept:
 *  - sorted (private, what gv_compute runs on): particles renumbered in cell
 *    order (spatially local: partners of a particle are near it in memory);
 *    each pair is stored once, in the row of the particle a from which the
 *    other one, b, is "ring-forward" (b - a mod n in (0, n/2]), with its
 *    periodic image fixed at the build. The largest b - a mod n (the window)
 *    bounds how far a row reaches, which lets gv_compute apply Newton's third
 *    law in parallel without atomics and in a fixed order;
 *  - public (nl->start, nl->j): the same pairs in original numbering, i < j,
 *    CSR over i.
 * Both orders depend only on the configuration and the box, never on threads.
 * Rebuild criterion (standard Verlet skin argument): no pair can enter the
 * cutoff before some particle moved more than skin/2, so the list is rebuilt
 * only then or when the box changed. The displacement is measured without the
 * minimum image, so re-wrapping positions also triggers a rebuild (the image
 * of each pair is fixed between builds). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geom_internal.h"

#define NL_BLOCK 256 /* particles per scan block */

/* Cells per axis for interaction range `range`, capped at ~2n cells in total. */
void gv_geom_choose_cells(const gv_box *b, double range, long n, int m[GV_MAX_DIM]) {
  const int d = b->dim;
  double total = 1;
  for (int a = 0; a < d; a++) {
    double w = gv_box_width(b, a);
    double k = range > 0 ? floor(w / range) : 1e9;
    if (k > 1e6) k = 1e6;
    if (k < 1) k = 1;
    m[a] = (int)k;
    total *= m[a];
  }
  double cap = 2.0 * (double)n + 27;
  while (total > cap) {
    int big = 0;
    for (int a = 1; a < d; a++)
      if (m[a] > m[big]) big = a;
    total /= m[big];
    m[big] = m[big] / 2 > 1 ? m[big] / 2 : 1;
    total *= m[big];
  }
  for (int a = 0; a < d; a++)
    if (m[a] < 3) m[a] = 1;
  for (int a = d; a < GV_MAX_DIM; a++) m[a] = 1;
}

/* Offsets -1, 0, 1 along split axes, 0 along unsplit ones. */
long gv_geom_stencil(int d, const int m[GV_MAX_DIM], int st[81][GV_MAX_DIM]) {
  long ns = 0;
  int o[GV_MAX_DIM] = {0};
  int lo[GV_MAX_DIM], hi[GV_MAX_DIM];
  for (int a = 0; a < GV_MAX_DIM; a++) {
    lo[a] = (a < d && m[a] >= 3) ? -1 : 0;
    hi[a] = -lo[a];
  }
  for (o[0] = lo[0]; o[0] <= hi[0]; o[0]++)
    for (o[1] = lo[1]; o[1] <= hi[1]; o[1]++)
      for (o[2] = lo[2]; o[2] <= hi[2]; o[2]++)
        for (o[3] = lo[3]; o[3] <= hi[3]; o[3]++) {
          for (int a = 0; a < GV_MAX_DIM; a++) st[ns][a] = o[a];
          ns++;
        }
  return ns;
}

static inline long cell_index(int d, const int m[GV_MAX_DIM], const int c[GV_MAX_DIM]) {
  long k = 0;
  for (int a = d - 1; a >= 0; a--) k = k * m[a] + c[a];
  return k;
}

/* Cell coordinates of fractional position s in [0,1). */
static inline void cell_coords(int d, const int m[GV_MAX_DIM], const double *s, int c[GV_MAX_DIM]) {
  for (int a = 0; a < d; a++) {
    int k = (int)(s[a] * m[a]);
    c[a] = k >= m[a] ? m[a] - 1 : (k < 0 ? 0 : k);
  }
}

static inline double round_fast(double x) { return (double)(long long)(x + copysign(0.5, x)); }

/* The ring-forward partners of a (b - a mod n in (0, n/2]; for even n the
 * pair at distance n/2 belongs to the smaller index) are the sorted indices
 * [a+1, a+h] mod n: at most two plain intervals. */
static inline int ring_intervals(long a, long n, long lo[2], long hi[2]) {
  long h = n / 2;
  if (n % 2 == 0 && a >= h) h--;
  if (a + h < n) {
    lo[0] = a + 1, hi[0] = a + h + 1;
    return 1;
  }
  lo[0] = a + 1, hi[0] = n;
  lo[1] = 0, hi[1] = a + h + 1 - n;
  return 2;
}

/* Row of sorted particle a: ring-forward partners within range into out
 * (room for max_candidates), returns the count and raises *window. Pass 1
 * collects the candidates within the largest range (branch-free when every
 * axis is split into >= 3 cells: the image of a partner is then the one of
 * its stencil cell, exact because a pair within range lies in adjacent cells
 * of that image; unsplit axes round). Pass 2 applies the pair cutoffs. */
static inline __attribute__((always_inline)) long scan_particle_d(const int d, const gv_neighbors *nl,
                                                                   const gv_system *sys, long a,
                                                                   uint32_t *out, long *window) {
  const gv_nl_priv *p = nl->priv;
  const long n = sys->n;
  const double *sa = p->s + (size_t)a * d, *xa = p->xw + (size_t)a * d;
  const double rmax = nl->rc_max + nl->skin, rmax2 = rmax * rmax;
  const gv_box *b = &sys->box;
  long rlo[2], rhi[2];
  const int nring = ring_intervals(a, n, rlo, rhi);
  int ca[GV_MAX_DIM], cb[GV_MAX_DIM], all_split = 1;
  for (int k = 0; k < d; k++) all_split &= p->m[k] >= 3;
  cell_coords(d, p->m, sa, ca);
  long cnt = 0;
  for (long t = 0; t < p->nstencil; t++) {
    double w[GV_MAX_DIM], hw[GV_MAX_DIM] = {0};
    unsigned code0 = 0;
    for (int k = 0; k < d; k++) {
      int q = ca[k] + p->stencil[t][k];
      w[k] = q < 0 ? -1.0 : (q >= p->m[k] ? 1.0 : 0.0);
      cb[k] = q - (int)w[k] * p->m[k];
    }
    for (int k = d - 1; k >= 0; k--) code0 = 3 * code0 + (unsigned)(w[k] + 1);
    for (int k = 0; k < d; k++)
      for (int l = 0; l < d; l++) hw[k] += b->h[k][l] * w[l];
    const uint32_t tag = (uint32_t)code0 << GV_NL_IDX_BITS;
    long c = cell_index(d, p->m, cb);
    for (int r = 0; r < nring; r++) {
      long q0 = p->cell_start[c] > rlo[r] ? p->cell_start[c] : rlo[r];
      long q1 = p->cell_start[c + 1] < rhi[r] ? p->cell_start[c + 1] : rhi[r];
      if (all_split) {
        for (long q = q0; q < q1; q++) {
          const double *xb = p->xw + (size_t)q * d;
          double r2 = 0;
          for (int k = 0; k < d; k++) {
            double u = xa[k] - xb[k] - hw[k];
            r2 += u * u;
          }
          out[cnt] = (uint32_t)q | tag;
          cnt += r2 < rmax2;
        }
      } else {
        for (long q = q0; q < q1; q++) {
          const double *sb = p->s + (size_t)q * d;
          double ds[GV_MAX_DIM], img[GV_MAX_DIM], r2 = 0;
          for (int k = 0; k < d; k++) {
            double u = sa[k] - sb[k] - w[k];
            img[k] = w[k] + round_fast(u);
            ds[k] = u - round_fast(u);
          }
          for (int k = 0; k < d; k++) {
            double u = 0;
            for (int l = 0; l < d; l++) u += b->h[k][l] * ds[l];
            r2 += u * u;
          }
          unsigned code = 0;
          for (int k = d - 1; k >= 0; k--) code = 3 * code + (unsigned)(img[k] + 1);
          out[cnt] = (uint32_t)q | (uint32_t)code << GV_NL_IDX_BITS;
          cnt += r2 < rmax2;
        }
      }
    }
  }
  /* Pass 2: pair cutoffs (distance recomputed from the stored image) and the window. */
  long kept = 0, win = *window;
  const long ia = p->cell_part[a];
  for (long t = 0; t < cnt; t++) {
    const uint32_t v = out[t];
    const long q = (long)(v & GV_NL_IDX_MASK);
    if (p->cutoff) {
      const double *xb = p->xw + (size_t)q * d, *sh = p->shift[v >> GV_NL_IDX_BITS];
      double r2 = 0;
      for (int k = 0; k < d; k++) {
        double u = xa[k] - xb[k] - sh[k];
        r2 += u * u;
      }
      double rc = p->cutoff(p->ctx, sys, ia, p->cell_part[q]) + nl->skin;
      if (r2 >= rc * rc) continue;
    }
    out[kept++] = v;
    long ring = q - a < 0 ? q - a + n : q - a;
    if (ring > win) win = ring;
  }
  *window = win;
  return kept;
}

/* One copy per dimension (small loops unrolled). */
static long scan_particle(const gv_neighbors *nl, const gv_system *sys, long a, uint32_t *out,
                          long *window) {
  switch (sys->dim) {
  case 2: return scan_particle_d(2, nl, sys, a, out, window);
  case 3: return scan_particle_d(3, nl, sys, a, out, window);
  default: return scan_particle_d(4, nl, sys, a, out, window);
  }
}

static int grow_pairs(gv_neighbors *nl, long need) {
  gv_nl_priv *p = nl->priv;
  if (need <= p->pair_cap && nl->j) return GV_OK;
  long cap = need + need / 4 + 16;
  long *j = realloc(nl->j, (size_t)cap * sizeof *j);
  if (!j) return GV_ERROR(GV_ENOMEM, "out of memory for %ld neighbour pairs", cap);
  nl->j = j;
  uint32_t *sp = realloc(p->spair, (size_t)cap * sizeof *sp);
  if (!sp) return GV_ERROR(GV_ENOMEM, "out of memory for %ld neighbour pairs", cap);
  p->spair = sp;
  p->pair_cap = cap;
  return GV_OK;
}

int gv_neighbors_rebuild(gv_neighbors *nl, const gv_system *sys) {
  gv_nl_priv *p = nl->priv;
  const int d = sys->dim;
  const long n = sys->n;
  if (n != nl->n || d != p->dim)
    return GV_ERROR(GV_EINVAL, "neighbour list made for %ld particles in %dD, system has %ld in %dD",
                    nl->n, p->dim, n, d);
  /* Effective skin: the list relies on the minimum image, so the range must
   * stay below half the narrowest box width. */
  double half = 0.5 * gv_box_min_width(&sys->box);
  if (!(nl->rc_max < half))
    return GV_ERROR(GV_EINVAL,
                    "box too small: its narrowest width %g is less than twice the interaction range %g",
                    2 * half, nl->rc_max);
  nl->skin = p->skin_req;
  if (nl->rc_max + nl->skin >= half) nl->skin = 0.999 * (half - nl->rc_max);
  memcpy(p->x_ref, sys->x, (size_t)n * d * sizeof *sys->x);
  p->box_ref = sys->box;

  /* Cell of every particle (from its wrapped fractional coordinates), then a
   * stable counting sort: cell_part = particles in cell order. */
  gv_geom_choose_cells(&sys->box, nl->rc_max + nl->skin, n, p->m);
  p->nstencil = gv_geom_stencil(d, p->m, p->stencil);
  long ncell = 1;
  for (int a = 0; a < d; a++) ncell *= p->m[a];
  if (ncell > p->ncell_cap) {
    free(p->cell_start);
    p->cell_start = malloc(2 * (size_t)(ncell + 1) * sizeof *p->cell_start);
    if (!p->cell_start) { p->ncell_cap = 0; return GV_ERROR(GV_ENOMEM, "out of memory for %ld cells", ncell); }
    p->ncell_cap = ncell;
  }
  p->ncell = ncell;
  memset(p->cell_start, 0, (size_t)(ncell + 1) * sizeof *p->cell_start);
  for (long i = 0; i < n; i++) {
    double s[GV_MAX_DIM];
    int c[GV_MAX_DIM];
    gv_box_to_fractional(&sys->box, sys->x + (size_t)i * d, s);
    for (int a = 0; a < d; a++) {
      s[a] -= floor(s[a]);
      if (s[a] >= 1.0 || s[a] < 0) s[a] = 0;
    }
    cell_coords(d, p->m, s, c);
    p->cell_of[i] = cell_index(d, p->m, c);
    p->cell_start[p->cell_of[i] + 1]++;
  }
  long most = 0;
  for (long c = 0; c < ncell; c++) {
    if (p->cell_start[c + 1] > most) most = p->cell_start[c + 1];
    p->cell_start[c + 1] += p->cell_start[c];
  }
  /* Bound on the partners one particle can have: the fullest cell times the stencil. */
  p->max_candidates = most * p->nstencil < n ? most * p->nstencil : n;
  long *cursor = p->cell_start + ncell + 1; /* second half of the same allocation */
  memcpy(cursor, p->cell_start, (size_t)(ncell + 1) * sizeof *cursor);
  for (long i = 0; i < n; i++) p->cell_part[cursor[p->cell_of[i]]++] = i;
  /* Sorted fractional coordinates and the lattice offsets that wrap them. */
  for (long k = 0; k < n; k++) {
    const double *x = sys->x + (size_t)p->cell_part[k] * d;
    double *s = p->s + (size_t)k * d, img[GV_MAX_DIM];
    gv_box_to_fractional(&sys->box, x, s);
    for (int a = 0; a < d; a++) {
      img[a] = floor(s[a]);
      s[a] -= img[a];
      if (s[a] >= 1.0) { /* -tiny rounded up to 1: it is the image at 0 */
        s[a] = 0;
        img[a] += 1;
      } else if (s[a] < 0) {
        s[a] = 0;
      }
    }
    double *o = p->off + (size_t)k * d;
    gv_box_from_fractional(&sys->box, img, o);
    for (int a = 0; a < d; a++) o[a] = -o[a];
    gv_box_from_fractional(&sys->box, s, p->xw + (size_t)k * d);
  }
  /* Image shifts h n for n in {-1, 0, 1}^d (code = sum (n_a + 1) 3^a). */
  int ncode = 1;
  for (int a = 0; a < d; a++) ncode *= 3;
  for (int code = 0; code < ncode; code++) {
    double nv[GV_MAX_DIM];
    for (int a = 0, c = code; a < d; a++, c /= 3) nv[a] = (double)(c % 3 - 1);
    gv_box_from_fractional(&sys->box, nv, p->shift[code]);
  }

  /* One scan: each fixed block of particles fills its own buffer (an upper
   * bound of candidates is not known, so buffers grow); the blocks are then
   * concatenated in block order, so the list never depends on threads. */
  const long nblk = (n + NL_BLOCK - 1) / NL_BLOCK;
  if (nblk > p->nblk_cap) {
    uint32_t **nb = realloc(p->blk_buf, (size_t)nblk * sizeof *nb);
    if (nb) p->blk_buf = nb;
    long *nc = realloc(p->blk_cap, (size_t)nblk * sizeof *nc);
    if (nc) p->blk_cap = nc;
    long *nw = realloc(p->blk_window, (size_t)nblk * sizeof *nw);
    if (nw) p->blk_window = nw;
    if (!nb || !nc || !nw) return GV_ERROR(GV_ENOMEM, "out of memory for neighbour blocks");
    for (long b = p->nblk_cap; b < nblk; b++) {
      p->blk_buf[b] = NULL;
      p->blk_cap[b] = 0;
    }
    p->nblk_cap = nblk;
  }
  int oom = 0;
#pragma omp parallel for schedule(dynamic, 1) if (n >= GV_OMP_MIN_N) reduction(| : oom)
  for (long b = 0; b < nblk; b++) {
    long i0 = b * NL_BLOCK, i1 = i0 + NL_BLOCK < n ? i0 + NL_BLOCK : n, used = 0, win = 0;
    for (long i = i0; i < i1 && !oom; i++) {
      long need = used + p->max_candidates;
      if (need > p->blk_cap[b]) {
        long cap = need + need / 2;
        uint32_t *nbuf = realloc(p->blk_buf[b], (size_t)cap * sizeof *nbuf);
        if (!nbuf) { oom = 1; break; }
        p->blk_buf[b] = nbuf;
        p->blk_cap[b] = cap;
      }
      long c = scan_particle(nl, sys, i, p->blk_buf[b] + used, &win);
      p->sstart[i + 1] = c;
      used += c;
    }
    p->blk_window[b] = win;
  }
  if (oom) return GV_ERROR(GV_ENOMEM, "out of memory building the neighbour list");
  p->sstart[0] = 0;
  for (long i = 0; i < n; i++) p->sstart[i + 1] += p->sstart[i];
  nl->npairs = p->sstart[n];
  p->window = 0;
  for (long b = 0; b < nblk; b++)
    if (p->blk_window[b] > p->window) p->window = p->blk_window[b];
  int status = grow_pairs(nl, nl->npairs);
  if (status) return status;
#pragma omp parallel for schedule(static) if (n >= GV_OMP_MIN_N)
  for (long b = 0; b < nblk; b++) {
    long i0 = b * NL_BLOCK, i1 = i0 + NL_BLOCK < n ? i0 + NL_BLOCK : n;
    memcpy(p->spair + p->sstart[i0], p->blk_buf[b], (size_t)(p->sstart[i1] - p->sstart[i0]) * sizeof *p->spair);
  }
  /* Public view: original numbering, i < j, CSR over i (counting sort; pairs of
   * a row in sorted-list order). */
  long *cnt = p->cell_of; /* scratch [n+1] */
  memset(cnt, 0, (size_t)(n + 1) * sizeof *cnt);
  for (long a = 0; a < n; a++) {
    long ia = p->cell_part[a];
    for (long k = p->sstart[a]; k < p->sstart[a + 1]; k++) {
      long ib = p->cell_part[p->spair[k] & GV_NL_IDX_MASK];
      cnt[(ia < ib ? ia : ib) + 1]++;
    }
  }
  for (long i = 0; i < n; i++) cnt[i + 1] += cnt[i];
  memcpy(nl->start, cnt, (size_t)(n + 1) * sizeof *cnt);
  for (long a = 0; a < n; a++) {
    long ia = p->cell_part[a];
    for (long k = p->sstart[a]; k < p->sstart[a + 1]; k++) {
      long ib = p->cell_part[p->spair[k] & GV_NL_IDX_MASK];
      if (ia < ib) nl->j[cnt[ia]++] = ib;
      else nl->j[cnt[ib]++] = ia;
    }
  }
  nl->builds++;
  p->built = 1;
  return GV_OK;
}

int gv_neighbors_create(gv_neighbors **nlp, const gv_system *s, gv_pair_cutoff_fn cutoff,
                        const void *ctx, double rc_max, double skin) {
  int status = GV_OK;
  gv_neighbors *nl = NULL;
  *nlp = NULL;
  if (!(rc_max > 0) || !isfinite(rc_max))
    return GV_ERROR(GV_EINVAL, "neighbour list range %g must be positive", rc_max);
  if (!(skin >= 0) || !isfinite(skin)) return GV_ERROR(GV_EINVAL, "neighbour list skin %g must be >= 0", skin);
  GV_TRY(gv_system_validate(s));
  if (s->n > GV_NL_MAX_N)
    return GV_ERROR(GV_ENOTSUP, "neighbour lists support at most %ld particles (system has %ld)", GV_NL_MAX_N, s->n);
  GV_ALLOC(nl, 1);
  gv_nl_priv *p = NULL;
  GV_ALLOC(p, 1);
  nl->priv = p;
  nl->n = s->n;
  nl->skin = skin;
  nl->rc_max = rc_max;
  p->cutoff = cutoff;
  p->ctx = ctx;
  p->skin_req = skin;
  p->dim = s->dim;
  GV_ALLOC(nl->start, s->n + 1);
  size_t nd = (size_t)s->n * (size_t)s->dim;
  GV_ALLOC(p->x_ref, nd);
  GV_ALLOC(p->s, nd);
  GV_ALLOC(p->off, nd);
  GV_ALLOC(p->xw, nd);
  GV_ALLOC(p->cell_part, s->n);
  GV_ALLOC(p->cell_of, s->n + 1);
  GV_ALLOC(p->sstart, s->n + 1);
  GV_TRY(gv_neighbors_rebuild(nl, s));
  *nlp = nl;
  return GV_OK;
cleanup:
  gv_neighbors_destroy(&nl);
  return status;
}

int gv_neighbors_needs_rebuild(const gv_neighbors *nl, const gv_system *s) {
  const gv_nl_priv *p = nl->priv;
  if (!p->built || s->n != nl->n || !gv_box_equal(&s->box, &p->box_ref)) return 1;
  const double lim2 = 0.25 * nl->skin * nl->skin;
  const int d = s->dim;
  const long n = s->n;
  const double *x = s->x, *x0 = p->x_ref;
  int need = 0;
  /* Plain displacements (no minimum image): a re-wrapped particle rebuilds. */
#pragma omp parallel for schedule(static) reduction(| : need) if (n >= 8 * GV_OMP_MIN_N)
  for (long i = 0; i < n; i++) {
    double r2 = 0;
    for (int a = 0; a < d; a++) {
      double u = x[(size_t)i * d + a] - x0[(size_t)i * d + a];
      r2 += u * u;
    }
    need |= !(r2 <= lim2); /* also NaN */
  }
  return need;
}

int gv_neighbors_update(gv_neighbors *nl, const gv_system *s) {
  if (!gv_neighbors_needs_rebuild(nl, s)) return GV_OK;
  return gv_neighbors_rebuild(nl, s);
}

void gv_neighbors_destroy(gv_neighbors **nlp) {
  if (!nlp || !*nlp) return;
  gv_neighbors *nl = *nlp;
  gv_nl_priv *p = nl->priv;
  if (p) {
    free(p->x_ref);
    free(p->s);
    free(p->off);
    free(p->xw);
    free(p->cell_start);
    free(p->cell_part);
    free(p->cell_of);
    free(p->sstart);
    free(p->spair);
    free(p->xs);
    free(p->fs);
    free(p->ls);
    free(p->ts);
    free(p->blocksum);
    for (long b = 0; b < p->nblk_cap; b++) free(p->blk_buf[b]);
    free(p->blk_buf);
    free(p->blk_cap);
    free(p->blk_window);
    free(p);
  }
  free(nl->start);
  free(nl->j);
  free(nl);
  *nlp = NULL;
}
