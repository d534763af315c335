/* Microscopic longitudinal and transverse dynamic structure factors from the
 * normal modes of a glass (seed 000, "microscopic description"; classical
 * one-phonon harmonic limit, unit masses, k_B = 1):
 *
 *   S_P(q, w) = (T q^2 / N) sum_a |A_P^a(q)|^2 / Omega_a^2 L(w - Omega_a),
 *   A_L^a(q) = sum_i (qhat . psi_i^a) e^{i q.r_i},  A_T^a = sum_i (e_T . psi_i^a) e^{i q.r_i}
 *
 * with q on the reciprocal lattice of the box (q = 2 pi h^-T n), averaged over
 * the wavevectors of the shell |q| closest to the requested value (one of each
 * +-q pair) and, for T, over d-1 orthonormal polarisations e_T perpendicular to
 * q. L is a normalised line (Lorentzian of half width `width`, or Gaussian of
 * standard deviation `width`); the 1/Omega_a^2 of the mode (not 1/w^2) keeps
 * the weights exact. One-sided in w: with all modes,
 *   int_0^inf w^2 S_P(q, w) dw = T q^2 - T q^2 |rho_q|^2 / N^2     (f-sum rule)
 * where the last term is the weight carried by the excluded translations
 * (rho_q = sum_i e^{i q.r_i}); the current spectrum is C_P = (w^2/q^2) S_P.
 * Units: q in 1/lambda, w in sqrt(eps/m)/lambda, S in (1/lambda^2)(T/eps)... i.e.
 * T q^2 / w^3 in model units. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/analysis.h"
#include "linalg/alloc.h"

void gv_sqw_opts_default(gv_sqw_opts *o) {
  o->width = 0.05;
  o->gaussian = 0;
  o->omega_max = 0;
  o->nomega = 400;
  o->temperature = 1.0;
  o->max_vectors = 48;
}

void gv_sqw_free(gv_sqw *w) {
  if (!w) return;
  free(w->q_req);
  free(w->q);
  free(w->nvec);
  free(w->omega);
  free(w->SL);
  free(w->ST);
  free(w->sum_L);
  free(w->sum_T);
  free(w->trans_L);
  free(w->trans_T);
  memset(w, 0, sizeof *w);
}

/* Wavevectors of the shell closest to |q| = q0: fills G[nv*dim] (at most
 * maxv, one of each +- pair) and returns the shell radius. */
static double shell(const gv_box *b, double q0, int maxv, double *G, int *nv) {
  const int d = b->dim;
  double gmin = INFINITY;
  for (int a = 0; a < d; a++) {
    double g2 = 0;
    for (int x = 0; x < d; x++) g2 += pow(2 * M_PI * b->hinv[a][x], 2);
    gmin = fmin(gmin, sqrt(g2));
  }
  int nmax = (int)ceil(q0 / gmin * 1.5) + 1;
  /* bound the enumeration to ~4e6 integer vectors (d = 4 grows fast) */
  int cap = ((int)floor(pow(4e6, 1.0 / d)) - 1) / 2;
  if (nmax > cap) nmax = cap;
  double best = INFINITY;
  *nv = 0;
  int side = 2 * nmax + 1;
  long total = 1;
  for (int a = 0; a < d; a++) total *= side;
  for (int pass = 0; pass < 2; pass++) {
    for (long c = 0; c < total; c++) {
      int n[GV_MAX_DIM];
      long t = c;
      int first = 0; /* first non-zero index must be positive: one of +-n */
      for (int a = 0; a < d; a++) {
        n[a] = (int)(t % side) - nmax;
        t /= side;
      }
      for (int a = d - 1; a >= 0; a--)
        if (n[a]) first = n[a];
      if (first <= 0) continue;
      double g[GV_MAX_DIM], q2 = 0;
      for (int x = 0; x < d; x++) {
        g[x] = 0;
        for (int a = 0; a < d; a++) g[x] += 2 * M_PI * b->hinv[a][x] * n[a];
        q2 += g[x] * g[x];
      }
      double q = sqrt(q2);
      if (pass == 0) {
        if (fabs(q - q0) < fabs(best - q0) - 1e-12 * q0) best = q;
      } else if (fabs(q - best) <= 1e-9 * best && *nv < maxv) {
        memcpy(G + (*nv) * d, g, (size_t)d * sizeof *g);
        (*nv)++;
      }
    }
  }
  return best;
}

/* Orthonormal basis perpendicular to unit u (d-1 vectors in e[(d-1)*d]). */
static void transverse_basis(int d, const double *u, double *e) {
  int m = 0;
  for (int c = 0; c < d && m < d - 1; c++) {
    double v[GV_MAX_DIM] = {0};
    v[c] = 1;
    double p = u[c];
    for (int a = 0; a < d; a++) v[a] -= p * u[a];
    for (int k = 0; k < m; k++) {
      double s = 0;
      for (int a = 0; a < d; a++) s += v[a] * e[k * d + a];
      for (int a = 0; a < d; a++) v[a] -= s * e[k * d + a];
    }
    double nrm = 0;
    for (int a = 0; a < d; a++) nrm += v[a] * v[a];
    if (nrm < 1e-6) continue;
    for (int a = 0; a < d; a++) e[m * d + a] = v[a] / sqrt(nrm);
    m++;
  }
}

int gv_sqw_compute(const gv_system *s, const gv_modes *m, const double *qreq, int nq,
                   const gv_sqw_opts *opt, gv_sqw *out) {
  int status = GV_OK;
  gv_sqw_opts o;
  const int d = s->dim;
  const long N = s->n;
  double *G = NULL, *cs = NULL, *sn = NULL, *WL = NULL, *WT = NULL;
  if (opt) o = *opt;
  else gv_sqw_opts_default(&o);
  memset(out, 0, sizeof *out);
  if (!m->vec) return GV_ERROR(GV_EINVAL, "S(q,w) needs eigenvectors (modes computed with --vectors)");
  if (m->n != N || m->dim != d)
    return GV_ERROR(GV_EINVAL, "modes (N = %ld, d = %d) do not belong to this glass (N = %ld, d = %d)", m->n,
                    m->dim, N, d);
  if (nq < 1) return GV_ERROR(GV_EINVAL, "S(q,w): no wavevector given");
  if (!(o.width > 0)) return GV_ERROR(GV_EINVAL, "S(q,w): line width %g must be positive", o.width);
  if (o.nomega < 2) o.nomega = 2;
  if (o.max_vectors < 1) o.max_vectors = 1;
  double wmax = o.omega_max;
  if (!(wmax > 0)) wmax = m->k ? 1.1 * fabs(m->omega[m->k - 1]) : 1.0;
  out->nq = nq;
  out->nomega = o.nomega;
  GV_ALLOC(out->q_req, nq);
  GV_ALLOC(out->q, nq);
  GV_ALLOC(out->nvec, nq);
  GV_ALLOC(out->omega, o.nomega);
  GV_NALLOC(out->SL, (size_t)nq * o.nomega);
  GV_NALLOC(out->ST, (size_t)nq * o.nomega);
  GV_ALLOC(out->sum_L, nq);
  GV_ALLOC(out->sum_T, nq);
  GV_ALLOC(out->trans_L, nq);
  GV_ALLOC(out->trans_T, nq);
  for (int w = 0; w < o.nomega; w++) out->omega[w] = wmax * w / (o.nomega - 1);
  GV_NALLOC(G, (size_t)o.max_vectors * d);
  GV_NALLOC(cs, (size_t)o.max_vectors * N);
  GV_NALLOC(sn, (size_t)o.max_vectors * N);
  GV_ALLOC(WL, m->k);
  GV_ALLOC(WT, m->k);
  const int64_t nd = (int64_t)N * d;
  for (int iq = 0; iq < nq; iq++) {
    if (!(qreq[iq] > 0)) {
      status = GV_ERROR(GV_EINVAL, "S(q,w): |q| = %g must be positive", qreq[iq]);
      goto cleanup;
    }
    int nv = 0;
    double q = shell(&s->box, qreq[iq], o.max_vectors, G, &nv);
    out->q_req[iq] = qreq[iq];
    out->q[iq] = q;
    out->nvec[iq] = nv;
    if (nv == 0) {
      status = GV_ERROR(GV_EINVAL, "S(q,w): no reciprocal-lattice vector near |q| = %g", qreq[iq]);
      goto cleanup;
    }
    double trans = 0;
    for (int v = 0; v < nv; v++) {
      double rc = 0, rs = 0;
      for (long i = 0; i < N; i++) {
        double ph = 0;
        for (int a = 0; a < d; a++) ph += G[v * d + a] * s->x[i * d + a];
        cs[(size_t)v * N + i] = cos(ph);
        sn[(size_t)v * N + i] = sin(ph);
        rc += cs[(size_t)v * N + i];
        rs += sn[(size_t)v * N + i];
      }
      trans += (rc * rc + rs * rs) / ((double)N * N);
    }
    const double T = o.temperature;
    out->trans_L[iq] = out->trans_T[iq] = T * q * q * trans / nv;
    /* mode weights */
#pragma omp parallel for schedule(dynamic, 4)
    for (int a = 0; a < m->k; a++) {
      WL[a] = WT[a] = 0;
      if (!(m->lambda[a] > m->zero_tol)) continue;
      const double *psi = m->vec + a * nd;
      double sl = 0, st = 0;
      for (int v = 0; v < nv; v++) {
        double Pr[GV_MAX_DIM] = {0}, Pi[GV_MAX_DIM] = {0};
        const double *c = cs + (size_t)v * N, *sv = sn + (size_t)v * N;
        for (long i = 0; i < N; i++)
          for (int x = 0; x < d; x++) {
            Pr[x] += psi[i * d + x] * c[i];
            Pi[x] += psi[i * d + x] * sv[i];
          }
        double u[GV_MAX_DIM], e[(GV_MAX_DIM - 1) * GV_MAX_DIM];
        for (int x = 0; x < d; x++) u[x] = G[v * d + x] / q;
        transverse_basis(d, u, e);
        double lr = 0, li = 0;
        for (int x = 0; x < d; x++) lr += u[x] * Pr[x], li += u[x] * Pi[x];
        sl += lr * lr + li * li;
        for (int t = 0; t < d - 1; t++) {
          double tr = 0, ti = 0;
          for (int x = 0; x < d; x++) tr += e[t * d + x] * Pr[x], ti += e[t * d + x] * Pi[x];
          st += (tr * tr + ti * ti) / (d - 1);
        }
      }
      WL[a] = T * q * q * sl / (nv * (double)N * m->lambda[a]);
      WT[a] = T * q * q * st / (nv * (double)N * m->lambda[a]);
    }
    double sumL = 0, sumT = 0;
    for (int a = 0; a < m->k; a++) {
      sumL += WL[a] * (m->lambda[a] > m->zero_tol ? m->lambda[a] : 0);
      sumT += WT[a] * (m->lambda[a] > m->zero_tol ? m->lambda[a] : 0);
    }
    out->sum_L[iq] = sumL;
    out->sum_T[iq] = sumT;
    double *SL = out->SL + (size_t)iq * o.nomega, *ST = out->ST + (size_t)iq * o.nomega;
    const double g = o.width;
#pragma omp parallel for schedule(static)
    for (int w = 0; w < o.nomega; w++) {
      double om = out->omega[w], al = 0, at = 0;
      for (int a = 0; a < m->k; a++) {
        if (WL[a] == 0 && WT[a] == 0) continue;
        double x = om - m->omega[a], l;
        if (o.gaussian) l = exp(-0.5 * x * x / (g * g)) / (g * sqrt(2 * M_PI));
        else l = g / (M_PI * (x * x + g * g));
        al += WL[a] * l;
        at += WT[a] * l;
      }
      SL[w] = al;
      ST[w] = at;
    }
    if (gv_interrupted()) {
      status = GV_ERROR(GV_EINTERRUPTED, "interrupted during S(q,w)");
      goto cleanup;
    }
  }
cleanup:
  free(G);
  free(cs);
  free(sn);
  free(WL);
  free(WT);
  if (status < 0) gv_sqw_free(out);
  return status;
}
