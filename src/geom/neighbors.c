/* Half Verlet lists built from a cell list in fractional coordinates.
 *
 * Cells: axis a of the box is cut into m_a = floor(w_a / (r_max + skin)) slabs,
 * where w_a = 1/|row a of h^-1| is the distance between the faces normal to a;
 * two particles closer than r_max + skin are then in the same or adjacent slabs
 * along every axis, in any triclinic cell. Axes with fewer than 3 slabs are not
 * split (m_a = 1) so that no neighbour cell is visited twice: the list stays
 * exact for small boxes at the price of more candidates there. Pairs are found
 * per particle i among j > i in the 3^d' neighbour cells and stored CSR by i,
 * in an order that depends only on the configuration (never on threads).
 * Rebuild criterion (standard Verlet skin argument): no pair can enter the
 * cutoff before some particle moved more than skin/2, so the list is rebuilt
 * only then or when the box changed. */
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

static inline double dist2_frac(const gv_box *b, int d, const double *si, const double *sj,
                                double *dr) {
  double ds[GV_MAX_DIM];
  for (int a = 0; a < d; a++) {
    double t = si[a] - sj[a];
    ds[a] = t - round_fast(t);
  }
  double r2 = 0;
  if (b->orthogonal) {
    for (int a = 0; a < d; a++) {
      dr[a] = b->h[a][a] * ds[a];
      r2 += dr[a] * dr[a];
    }
  } else {
    for (int a = 0; a < d; a++) {
      double t = 0;
      for (int c = 0; c < d; c++) t += b->h[a][c] * ds[c];
      dr[a] = t;
      r2 += t * t;
    }
  }
  return r2;
}

/* Visit pairs (i, j>i) of particle i within range; fill out (if not NULL) and
 * return the count. */
static long scan_particle(const gv_neighbors *nl, const gv_system *sys, long i, long *out) {
  const gv_nl_priv *p = nl->priv;
  const int d = sys->dim;
  const double *si = p->s + (size_t)i * d;
  const double rmax = nl->rc_max + nl->skin, rmax2 = rmax * rmax;
  int ci[GV_MAX_DIM], cj[GV_MAX_DIM];
  cell_coords(d, p->m, si, ci);
  long cnt = 0;
  for (long t = 0; t < p->nstencil; t++) {
    for (int a = 0; a < d; a++) {
      int k = ci[a] + p->stencil[t][a];
      cj[a] = k < 0 ? k + p->m[a] : (k >= p->m[a] ? k - p->m[a] : k);
    }
    long c = cell_index(d, p->m, cj);
    for (long q = p->cell_start[c]; q < p->cell_start[c + 1]; q++) {
      long j = p->cell_part[q];
      if (j <= i) continue;
      double dr[GV_MAX_DIM];
      double r2 = dist2_frac(&sys->box, d, si, p->s + (size_t)j * d, dr);
      if (r2 >= rmax2) continue;
      if (p->cutoff) {
        double rc = p->cutoff(p->ctx, sys, i, j) + nl->skin;
        if (r2 >= rc * rc) continue;
      }
      if (out) out[cnt] = j;
      cnt++;
    }
  }
  return cnt;
}

static int grow_pairs(gv_neighbors *nl, long need, int dim) {
  gv_nl_priv *p = nl->priv;
  if (need <= p->pair_cap && nl->j) return GV_OK;
  long cap = need + need / 4 + 16;
  long *j = realloc(nl->j, (size_t)cap * sizeof *j);
  if (!j) return GV_ERROR(GV_ENOMEM, "out of memory for %ld neighbour pairs", cap);
  nl->j = j;
  long *tp = realloc(p->tpos, (size_t)cap * sizeof *tp);
  if (!tp) return GV_ERROR(GV_ENOMEM, "out of memory for %ld neighbour pairs", cap);
  p->tpos = tp;
  free(p->pairbuf);
  p->pairbuf = malloc((size_t)cap * dim * sizeof *p->pairbuf);
  if (!p->pairbuf) return GV_ERROR(GV_ENOMEM, "out of memory for %ld neighbour pairs", cap);
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

  /* Fractional coordinates and reference positions. */
  for (long i = 0; i < n; i++) {
    double *s = p->s + (size_t)i * d;
    gv_box_to_fractional(&sys->box, sys->x + (size_t)i * d, s);
    for (int a = 0; a < d; a++) {
      s[a] -= floor(s[a]);
      if (s[a] >= 1.0 || s[a] < 0) s[a] = 0;
    }
  }
  memcpy(p->x_ref, sys->x, (size_t)n * d * sizeof *sys->x);
  p->box_ref = sys->box;

  /* Cell list by counting sort (stable: particles ascending inside a cell). */
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
    int c[GV_MAX_DIM];
    cell_coords(d, p->m, p->s + (size_t)i * d, c);
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

  /* One scan: each fixed block of particles fills its own buffer (an upper
   * bound of candidates is not known, so buffers grow); the blocks are then
   * concatenated in block order, so the list never depends on threads. */
  const long nblk = (n + NL_BLOCK - 1) / NL_BLOCK;
  if (nblk > p->nblk_cap) {
    long **nb = realloc(p->blk_buf, (size_t)nblk * sizeof *nb);
    long *nc = realloc(p->blk_cap, (size_t)nblk * sizeof *nc);
    if (nb) p->blk_buf = nb;
    if (nc) p->blk_cap = nc;
    if (!nb || !nc) return GV_ERROR(GV_ENOMEM, "out of memory for neighbour blocks");
    for (long b = p->nblk_cap; b < nblk; b++) {
      p->blk_buf[b] = NULL;
      p->blk_cap[b] = 0;
    }
    p->nblk_cap = nblk;
  }
  int oom = 0;
#pragma omp parallel for schedule(dynamic, 1) if (n >= GV_OMP_MIN_N) reduction(| : oom)
  for (long b = 0; b < nblk; b++) {
    long i0 = b * NL_BLOCK, i1 = i0 + NL_BLOCK < n ? i0 + NL_BLOCK : n, used = 0;
    for (long i = i0; i < i1 && !oom; i++) {
      long need = used + p->max_candidates;
      if (need > p->blk_cap[b]) {
        long cap = need + need / 2;
        long *nbuf = realloc(p->blk_buf[b], (size_t)cap * sizeof *nbuf);
        if (!nbuf) { oom = 1; break; }
        p->blk_buf[b] = nbuf;
        p->blk_cap[b] = cap;
      }
      long c = scan_particle(nl, sys, i, p->blk_buf[b] + used);
      nl->start[i + 1] = c;
      used += c;
    }
  }
  if (oom) return GV_ERROR(GV_ENOMEM, "out of memory building the neighbour list");
  nl->start[0] = 0;
  for (long i = 0; i < n; i++) nl->start[i + 1] += nl->start[i];
  nl->npairs = nl->start[n];
  int status = grow_pairs(nl, nl->npairs, d);
  if (status) return status;
#pragma omp parallel for schedule(static) if (n >= GV_OMP_MIN_N)
  for (long b = 0; b < nblk; b++) {
    long i0 = b * NL_BLOCK, i1 = i0 + NL_BLOCK < n ? i0 + NL_BLOCK : n;
    memcpy(nl->j + nl->start[i0], p->blk_buf[b],
           (size_t)(nl->start[i1] - nl->start[i0]) * sizeof *nl->j);
  }
  /* Transpose (pairs by their second partner, ascending pair index): the slot
   * of each pair, so gv_compute can store f_ij where the pass over j reads it
   * sequentially. */
  memset(p->tstart, 0, (size_t)(n + 1) * sizeof *p->tstart);
  for (long k = 0; k < nl->npairs; k++) p->tstart[nl->j[k] + 1]++;
  for (long i = 0; i < n; i++) p->tstart[i + 1] += p->tstart[i];
  long *cur = p->cell_of; /* reuse as cursor; cell_of is rebuilt at every build */
  memcpy(cur, p->tstart, (size_t)n * sizeof *cur);
  for (long i = 0; i < n; i++)
    for (long k = nl->start[i]; k < nl->start[i + 1]; k++) p->tpos[k] = cur[nl->j[k]]++;
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
  GV_ALLOC(p->cell_part, s->n);
  GV_ALLOC(p->cell_of, s->n + 1);
  GV_ALLOC(p->tstart, s->n + 1);
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
  const int d = s->dim;
  const double lim2 = 0.25 * nl->skin * nl->skin;
  const long n = s->n;
  int need = 0;
#pragma omp parallel for schedule(static) reduction(| : need) if (n >= 4 * GV_OMP_MIN_N)
  for (long i = 0; i < n; i++) {
    double dr[GV_MAX_DIM], r2 = 0;
    for (int a = 0; a < d; a++) dr[a] = s->x[(size_t)i * d + a] - p->x_ref[(size_t)i * d + a];
    gv_box_minimum_image(&s->box, dr);
    for (int a = 0; a < d; a++) r2 += dr[a] * dr[a];
    if (r2 > lim2 || !(r2 == r2)) need = 1;
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
    free(p->cell_start);
    free(p->cell_part);
    free(p->cell_of);
    free(p->tstart);
    free(p->tpos);
    for (long b = 0; b < p->nblk_cap; b++) free(p->blk_buf[b]);
    free(p->blk_buf);
    free(p->blk_cap);
    free(p->pairbuf);
    free(p->blocksum);
    free(p);
  }
  free(nl->start);
  free(nl->j);
  free(nl);
  *nlp = NULL;
}
