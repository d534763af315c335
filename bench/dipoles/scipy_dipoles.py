#!/usr/bin/python3
"""Peer for bench/dipoles: dipole stiffnesses kappa = (d.M^+.d)/(d.M^+2.d) with
SciPy, as a careful user writes it: read the Matrix Market Hessian written by
`glassvib hessian`, fix the translation gauge by pinning particle 0 (its rows
and columns removed; exact because d sums to zero), factorise ONCE with
scipy.sparse.linalg.splu (symmetric-friendly ordering MMD_AT_PLUS_A), solve
for every pair, project translations out of z, kappa = d.z / z.z.
Usage: scipy_dipoles.py H.mtx KAPPA.tsv dim [fresh_pairs] [max_pairs]
max_pairs > 0 solves only that many pairs (evenly spaced) and reports the
per-pair solve time; the caller extrapolates (solves cost the same per pair).
KAPPA.tsv is glassvib dipoles -o output (columns i, j and the unit vector n).
Prints JSON: n_pairs, t_read, t_factor, t_solve, kappa_mean, max_rel_diff
(vs glassvib's kappa), t_fresh_per_pair (spsolve from scratch, a few pairs)."""
import json
import sys
import time

import numpy as np
import scipy.io
import scipy.sparse.linalg as sla

mtx, tsv, dim = sys.argv[1], sys.argv[2], int(sys.argv[3])
nfresh = int(sys.argv[4]) if len(sys.argv) > 4 else 3
maxp = int(sys.argv[5]) if len(sys.argv) > 5 else 0
t0 = time.perf_counter()
M = scipy.io.mmread(mtx).tocsc()
rows = np.loadtxt(tsv, comments="#", ndmin=2)
t_read = time.perf_counter() - t0
n = M.shape[0]
keep = np.arange(dim, n)  # pin particle 0
Mr = M[keep][:, keep].tocsc()
t0 = time.perf_counter()
lu = sla.splu(Mr, permc_spec="MMD_AT_PLUS_A")
t_factor = time.perf_counter() - t0


def dipole(i, j, nv):
    d = np.zeros(n)
    d[i * dim:(i + 1) * dim] = nv
    d[j * dim:(j + 1) * dim] = -nv
    return d


def kappa_of(z, d):
    z = z.reshape(-1, dim)
    z -= z.mean(axis=0)
    z = z.ravel()
    return d @ z / (z @ z)


sub = rows if maxp <= 0 or maxp >= len(rows) else rows[np.linspace(0, len(rows) - 1, maxp).astype(int)]
kap = np.empty(len(sub))
t0 = time.perf_counter()
for q, r in enumerate(sub):
    i, j = int(r[1]), int(r[2])
    d = dipole(i, j, r[8:8 + dim])
    z = np.zeros(n)
    z[dim:] = lu.solve(d[dim:])
    kap[q] = kappa_of(z, d)
t_solve = time.perf_counter() - t0
ref = sub[:, 5]
# a fresh factorisation per pair (what a naive script does), timed on a few pairs
t0 = time.perf_counter()
for r in rows[:nfresh]:
    d = dipole(int(r[1]), int(r[2]), r[8:8 + dim])
    z = np.zeros(n)
    z[dim:] = sla.spsolve(Mr, d[dim:])
    kappa_of(z, d)
t_fresh = (time.perf_counter() - t0) / max(1, min(nfresh, len(rows)))
print(json.dumps({"n_pairs": len(rows), "n_solved": len(sub), "t_read": t_read, "t_factor": t_factor,
                  "t_solve": t_solve, "t_solve_per_pair": t_solve / len(sub),
                  "kappa_mean": float(kap.mean()),
                  "max_rel_diff": float(np.max(np.abs(kap - ref) / np.abs(ref))),
                  "t_fresh_per_pair": t_fresh}))
