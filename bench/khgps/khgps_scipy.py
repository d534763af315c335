#!/usr/bin/python3
"""NumPy/SciPy peer of `glassvib khgps` for one sample (bench only).

What a careful NumPy user writes for the same model and parameters (Rainone et al.,
SciPost Phys. Core 4, 008 (2021), Eq. 1): kappa_i ~ U[0, kappa0], J_ij ~ N(0, J^2/N)
symmetric with zero diagonal (NumPy's generator, so not glassvib's numbers), J in
float64, minimisation from x = 0 with scipy.optimize.minimize(method="CG") to
max|grad| <= gtol (the same tolerance as glassvib's --gtol), then the Hessian spectrum:
  --eig all : every eigenvalue, numpy.linalg.eigvalsh (LAPACK dsyevd);
  --eig low : the K lowest (what A_g needs), scipy.sparse.linalg.eigsh(M, K, sigma=0)
              = ARPACK shift-invert on a dense LU factor (scipy.linalg.lu_factor),
              the fastest exact low-tail method SciPy offers for a dense matrix;
  --eig none: minimisation only.
Prints one JSON line with the timings.
"""
import argparse
import json
import time

import numpy as np
from scipy.optimize import minimize

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, required=True)
ap.add_argument("--h", type=float, default=0.01)
ap.add_argument("--J", type=float, default=0.1)
ap.add_argument("--kappa0", type=float, default=1.0)
ap.add_argument("--gtol", type=float, default=1e-10)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--eig", choices=["all", "low", "none"], default="all")
ap.add_argument("--nlow", type=int, default=0, help="K for --eig low (default N/200)")
a = ap.parse_args()

t0 = time.perf_counter()
rng = np.random.default_rng(a.seed)
n = a.n
kappa = a.kappa0 * rng.random(n)
Jm = rng.standard_normal((n, n))
Jm *= a.J / np.sqrt(n)
# symmetrise from the lower triangle in place, block by block (keeps the peak at one n x n array)
B = 1024
for r0 in range(0, n, B):
    r1 = min(n, r0 + B)
    Jm[r0:r1, r1:] = Jm[r1:, r0:r1].T
    blk = np.tril(Jm[r0:r1, r0:r1], -1)
    Jm[r0:r1, r0:r1] = blk + blk.T
t_draw = time.perf_counter() - t0


def fg(x):
    Jx = Jm @ x
    e = 0.5 * kappa @ (x * x) + (x ** 4).sum() / 24.0 + 0.5 * x @ Jx - a.h * x.sum()
    g = kappa * x + x ** 3 / 6.0 + Jx - a.h
    return e, g


t1 = time.perf_counter()
res = minimize(fg, np.zeros(n), jac=True, method="CG",
               options={"gtol": a.gtol, "maxiter": 200000, "norm": np.inf})
t_min = time.perf_counter() - t1
gmax = float(np.abs(fg(res.x)[1]).max())
out = {"n": n, "t_draw": t_draw, "t_min": t_min, "nfev": int(res.nfev), "nit": int(res.nit),
       "grad_max": gmax, "gtol": a.gtol, "x2_mean": float((res.x ** 2).mean()), "eig": a.eig}
if a.eig != "none":
    t2 = time.perf_counter()
    M = Jm
    M[np.diag_indices(n)] = kappa + 0.5 * res.x ** 2  # reuse J's memory (diagonal was 0)
    if a.eig == "all":
        ev = np.linalg.eigvalsh(M)
    else:
        from scipy.sparse.linalg import eigsh
        k = a.nlow if a.nlow > 0 else max(8, n // 200)
        ev = np.sort(eigsh(M, k=k, sigma=0.0, which="LM", return_eigenvectors=False))
        out["nlow"] = k
    out["t_eig"] = time.perf_counter() - t2
    out["lambda_min"] = float(ev[0])
    out["lambda_max_computed"] = float(ev[-1])
out["t_total"] = time.perf_counter() - t0
print(json.dumps(out))
