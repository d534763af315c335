#!/usr/bin/python3
"""Vectorised NumPy peer of `glassvib lattice` (bench only): seed 003, Eqs. 8-10.

omega_j = u^(1/5) (p = 5 omega^4), t = omega^-2 = u^(-2/5); with w_centre = 1 and
w_j = r_j^-2d, a = t . w, b = (t*t) . w, kappa = a/b, in batches of realisations.
Prints one JSON line: realisations, seconds, rate, <kappa>.
"""
import argparse
import json
import time

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--dim", type=int, default=3)
ap.add_argument("--L", type=int, default=21)
ap.add_argument("--samples", type=int, default=5000)
ap.add_argument("--batch", type=int, default=256)
ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()

c = (a.L - 1) // 2
grids = np.meshgrid(*[np.arange(a.L) - c] * a.dim, indexing="ij")
r2 = sum(g.astype(np.float64) ** 2 for g in grids).ravel()
w = np.ones_like(r2)
nz = r2 > 0
w[nz] = r2[nz] ** (-a.dim)  # r^-2d; the centre keeps weight 1

rng = np.random.default_rng(a.seed)
t0 = time.perf_counter()
out = []
done = 0
while done < a.samples:
    m = min(a.batch, a.samples - done)
    u = rng.random((m, w.size))
    u[u == 0] = np.finfo(float).tiny  # never 0 (probability 2^-53 per draw)
    t = u ** -0.4
    A = t @ w
    np.multiply(t, t, out=t)
    B = t @ w
    out.append(A / B)
    done += m
dt = time.perf_counter() - t0
k = np.concatenate(out)
print(json.dumps({"samples": a.samples, "seconds": dt, "rate": a.samples / dt,
                  "ns_per_site": dt / (a.samples * w.size) * 1e9, "kappa_mean": float(k.mean())}))
