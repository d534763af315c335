#!/usr/bin/python3
"""Peer for bench/dipoles: dipole stiffnesses kappa = (d.M^+.d)/(d.M^+2.d) with
SciPy, as a careful user writes it: read the Matrix Market Hessian written by
`glassvib hessian`, fix the translation gauge by pinning particle 0 (its rows
and columns removed; exact because d sums to zero), factorise ONCE with
scipy.sparse.linalg.splu using the options SuperLU documents for symmetric
positive definite matrices (symmetric ordering MMD_AT_PLUS_A, no row pivoting:
diag_pivot_thresh=0, SymmetricMode), solve for every pair, project translations
out of z, kappa = d.z / z.z.
Usage: scipy_dipoles.py H.mtx KAPPA.tsv dim [fresh_pairs] [max_pairs] [permc] [fresh_limit_s]
max_pairs > 0 solves only that many pairs (evenly spaced) and reports the
per-pair solve time; the caller extrapolates (the solves cost the same per
pair). permc: SuperLU column ordering (default MMD_AT_PLUS_A; "default" = the
plain splu(M) call: COLAMD with partial pivoting).
KAPPA.tsv is glassvib dipoles -o output (columns i, j and the unit vector n).
Prints JSON: n_pairs, n_solved, t_read, t_factor, t_solve, t_solve_per_pair
(wall seconds) and the same as CPU seconds (cpu_*), nnz_LU, kappa_mean,
max_rel_diff (vs glassvib's kappa), t_fresh_per_pair (spsolve from scratch,
a few pairs, in a child process stopped after fresh_limit_s (default 600):
then t_fresh_per_pair is a lower bound and fresh_timeout is true)."""
import json
import sys
import time

import numpy as np
import scipy.io
import scipy.sparse.linalg as sla

mtx, tsv, dim = sys.argv[1], sys.argv[2], int(sys.argv[3])
nfresh = int(sys.argv[4]) if len(sys.argv) > 4 else 3
maxp = int(sys.argv[5]) if len(sys.argv) > 5 else 0
permc = sys.argv[6] if len(sys.argv) > 6 else "MMD_AT_PLUS_A"
t0 = time.perf_counter()
M = scipy.io.mmread(mtx).tocsc()
rows = np.loadtxt(tsv, comments="#", ndmin=2)
t_read = time.perf_counter() - t0
n = M.shape[0]
keep = np.arange(dim, n)  # pin particle 0
Mr = M[keep][:, keep].tocsc()
t0, c0 = time.perf_counter(), time.process_time()
if permc == "default":
    lu = sla.splu(Mr)
else:
    lu = sla.splu(Mr, permc_spec=permc, diag_pivot_thresh=0.0, options=dict(SymmetricMode=True))
t_factor, c_factor = time.perf_counter() - t0, time.process_time() - c0


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
t0, c0 = time.perf_counter(), time.process_time()
for q, r in enumerate(sub):
    i, j = int(r[1]), int(r[2])
    d = dipole(i, j, r[8:8 + dim])
    z = np.zeros(n)
    z[dim:] = lu.solve(d[dim:])
    kap[q] = kappa_of(z, d)
t_solve, c_solve = time.perf_counter() - t0, time.process_time() - c0
ref = sub[:, 5]
nnz = int(lu.L.nnz + lu.U.nnz)
del lu
# a fresh factorisation per pair (what a naive script does: spsolve with its
# defaults), timed on a few pairs in a child process with a time limit (at
# N = 16000 SuperLU's default COLAMD + partial pivoting may take hours)
fresh_limit = float(sys.argv[7]) if len(sys.argv) > 7 else 600.0


def _fresh(q, Mr, rows, nfresh):
    t0, c0 = time.perf_counter(), time.process_time()
    for r in rows[:nfresh]:
        d = dipole(int(r[1]), int(r[2]), r[8:8 + dim])
        z = np.zeros(n)
        z[dim:] = sla.spsolve(Mr, d[dim:])
        kappa_of(z, d)
    q.put((time.perf_counter() - t0, time.process_time() - c0))


nf = max(1, min(nfresh, len(rows)))
t_fresh = c_fresh = None
fresh_timeout = False
if nfresh > 0:
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    pr = ctx.Process(target=_fresh, args=(q, Mr, rows, nf))
    t0 = time.perf_counter()
    pr.start()
    pr.join(fresh_limit)
    if pr.is_alive():
        pr.kill()
        pr.join()
        fresh_timeout = True
        t_fresh = (time.perf_counter() - t0)  # a lower bound for ONE pair
        nf = 1
    else:
        tw, tc = q.get()
        t_fresh, c_fresh = tw / nf, tc / nf
print(json.dumps({"n_pairs": len(rows), "n_solved": len(sub), "t_read": t_read, "t_factor": t_factor,
                  "t_solve": t_solve, "t_solve_per_pair": t_solve / len(sub),
                  "cpu_factor": c_factor, "cpu_solve_per_pair": c_solve / len(sub),
                  "permc": permc, "nnz_LU": nnz,
                  "kappa_mean": float(kap.mean()),
                  "max_rel_diff": float(np.max(np.abs(kap - ref) / np.abs(ref))),
                  "n_fresh": nf, "t_fresh_per_pair": t_fresh, "cpu_fresh_per_pair": c_fresh,
                  "fresh_timeout": fresh_timeout}))
