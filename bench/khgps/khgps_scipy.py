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

Verification mode (--same-as OUT.h5, not for timing): the SAME sample as a
`glassvib khgps --samples 1 -o OUT.h5` run: kappa read from OUT.h5, J regenerated
from glassvib's stream (Philox4x64-10 of Random123 with glassvib's key, row i =
block i, Box-Muller on consecutive uniform pairs, rounded to float32 as glassvib
stores it), then the same minimisation and eigenvalues; prints the relative
differences of the energy and of the K lowest eigenvalues against OUT.h5. SciPy's
CG is polished by dense Newton steps to the tolerance; if it ends in another
minimum than glassvib (possible: the landscape has several), that is reported
(same_minimum, energy_own_minimum) and energy, max|grad| and eigenvalues are
evaluated at glassvib's x* (an independent check of its minimum and spectrum).
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
ap.add_argument("--same-as", default=None, help="glassvib HDF5 output (one sample): use its kappa and J")
a = ap.parse_args()

M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
LO32 = np.uint64(0xFFFFFFFF)
S32 = np.uint64(32)


def mulhilo64(m, x):
    """(hi, lo) of the 128-bit product m * x, m a Python int, x uint64 array."""
    mh, ml = np.uint64(m >> 32), np.uint64(m & 0xFFFFFFFF)
    xh, xl = x >> S32, x & LO32
    ll, lh, hl, hh = xl * ml, xl * mh, xh * ml, xh * mh
    mid = (ll >> S32) + (lh & LO32) + (hl & LO32)
    hi = hh + (lh >> S32) + (hl >> S32) + (mid >> S32)
    return hi, x * np.uint64(m)


def philox4x64(c0, c1, c2, c3, k0, k1):
    """Random123 philox4x64 (10 rounds), vectorised over counter arrays."""
    with np.errstate(over="ignore"):
        for r in range(10):
            if r:
                k0 = (k0 + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
                k1 = (k1 + 0xBB67AE8584CAA73B) & 0xFFFFFFFFFFFFFFFF
            hi0, lo0 = mulhilo64(0xD2E7470EE14C6C93, c0)
            hi1, lo1 = mulhilo64(0xCA5A826395121157, c2)
            c0, c1, c2, c3 = hi1 ^ c1 ^ np.uint64(k0), lo1, hi0 ^ c3 ^ np.uint64(k1), lo0
    return c0, c1, c2, c3


def gv_couplings(n, J, seed, sample):
    """glassvib's J (src/models/khgps.c, src/core/rng.c): float32 values, symmetric, zero diagonal."""
    def mix64(z):
        z &= 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)
    purpose = 17  # GV_RNG_KHGPS_COUPLING
    k0 = seed & 0xFFFFFFFFFFFFFFFF
    k1 = mix64(sample * 0x9E3779B97F4A7C15 + purpose) ^ ((purpose << 56) & 0xFFFFFFFFFFFFFFFF)
    sigma = J / np.sqrt(n)
    Jm = np.zeros((n, n))
    B = 512
    for r0 in range(1, n, B):
        rows = np.arange(r0, min(n, r0 + B))
        nw = 2 * ((rows + 1) // 2)               # uniforms used by row i
        ncall = (nw + 3) // 4
        ri = np.repeat(rows, ncall).astype(np.uint64)
        t = (np.arange(ncall.sum()) - np.repeat(np.cumsum(ncall) - ncall, ncall)).astype(np.uint64)
        z = np.zeros_like(ri)
        w = np.stack(philox4x64(z, ri, t, z, k0, k1), axis=1).ravel()  # words in stream order
        u = ((w >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0 ** -53
        start = np.repeat(np.cumsum(4 * ncall) - 4 * ncall, 1)
        for k, i in enumerate(rows):
            uu = u[start[k]:start[k] + nw[k]]
            rad = sigma * np.sqrt(-2.0 * np.log(uu[0::2]))
            ang = 2.0 * np.pi * uu[1::2]
            row = np.empty(nw[k])
            row[0::2] = rad * np.cos(ang)
            row[1::2] = rad * np.sin(ang)
            Jm[i, :i] = row[:i].astype(np.float32)
    Jm += Jm.T
    return Jm


t0 = time.perf_counter()
n = a.n
if a.same_as:
    import h5py
    with h5py.File(a.same_as, "r") as f:
        kappa = np.array(f["/samples/kappa"][0])
        gv_e = float(f["/samples/energy"][0])
        gv_eig = np.array(f["/samples/eigenvalues"][0])
        gv_x = np.array(f["/samples/x"][0])
        gv_seed = int(f.attrs["seed"]) if "seed" in f.attrs else a.seed
    Jm = gv_couplings(n, a.J, gv_seed, 0)
else:
    rng = np.random.default_rng(a.seed)
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
if a.same_as:
    # SciPy's CG stops on "precision loss" above gtol (its Wolfe line search
    # compares energies); for the comparison only, polish with dense Newton steps
    out_cg_gmax = gmax
    for _ in range(6):
        g = fg(res.x)[1]
        if np.abs(g).max() <= a.gtol:
            break
        H = Jm.copy()
        H[np.diag_indices(n)] = kappa + 0.5 * res.x ** 2
        res.x = res.x - np.linalg.solve(H, g)
        del H
    # the same minimum? (from x = 0 two minimisers can end in different minima)
    out_same_min = bool(np.abs(res.x - gv_x).max() < 1e-6)
    out_e_own = float(fg(res.x)[0])
    # the rest is evaluated at glassvib's x*: energy, gradient and Hessian spectrum
    res.x = gv_x
    gmax = float(np.abs(fg(res.x)[1]).max())
    e_np = float(fg(res.x)[0])
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
    if a.same_as:
        m = min(len(ev), len(gv_eig))
        out["same_as"] = a.same_as
        out["grad_max_scipy_cg"] = out_cg_gmax
        out["same_minimum"] = out_same_min
        out["energy_own_minimum"] = out_e_own
        out["energy_glassvib"] = gv_e
        out["energy_rel_diff"] = abs(e_np - gv_e) / abs(gv_e)
        out["eig_compared"] = m
        out["eig_max_rel_diff"] = float(np.max(np.abs(ev[:m] - gv_eig[:m]) / np.abs(gv_eig[:m])))
    out["lambda_min"] = float(ev[0])
    out["lambda_max_computed"] = float(ev[-1])
out["t_total"] = time.perf_counter() - t0
print(json.dumps(out))
