#!/usr/bin/python3
"""Straightforward vectorised NumPy implementation of the first-order GBA self-energies
(the same closed-form residues as src/theory/born.c, docs/continuum.md), used as the peer
of `glassvib gba` in bench/gba/run.sh. Plain Gauss-Legendre in t (NT nodes), arrays over
(omega, t) per q.

usage: gba_numpy.py CL CT A a QMIN QMAX NQ WMAX NW NT [compare.tsv]
prints the wall time of the map; with compare.tsv (glassvib's map) also the max relative
difference of Sigma_L and Sigma_T.
"""
import sys
import time

import numpy as np


def local_s(A, a, vl, vt, w):
    def b(p):
        ia = 1.0 / a
        return (2j * p**3 - ia * (3 * p**2 + ia**2)) / (p**2 + ia**2) ** 2
    bl = b(w / vl) / vl**2
    bt = b(w / vt) / vt**2
    return A / a * (0.8 * bl + 8 / 15 * bt), A / (2 * a) * (0.8 * bt + 8 / 15 * bl)


def sums(k, a, t, wt, W, p0):
    """sum_t W(t) [R0 + R+] and the second-order [R0' + R+'] for p0[:, None]."""
    al2 = a**-2 + k * k * (1 - t * t)
    al = np.sqrt(al2)
    P = k * t + 1j * al
    p0 = p0[:, None]
    D = p0**2 - P**2
    Q0 = a**-2 + k * k + p0**2 + 2 * k * t * p0
    R0 = p0**3 / (2 * Q0**2)
    Rp = -P**3 / (2 * al2 * D) * (2 + P**2 / D - P / (2j * al))
    R0b = -(p0**3 / (4 * Q0**2)) * (5 - 4 * p0 * (p0 + k * t) / Q0)
    Rpb = -P**5 / (4 * al2 * D**2) * (6 + 4 * P**2 / D - P / (1j * al))
    out1 = [(R0 + Rp) @ (wt * Wc) for Wc in W]
    out2 = [(R0b + Rpb) @ (wt * Wc) for Wc in W]
    return out1, out2


def gba_map(cl, ct, A, a, q, w, nt):
    t, wt = np.polynomial.legendre.leggauss(nt)
    t2 = t * t
    W_LL, W_LT, W_TT = 4 * t2 * t2, 4 * t2 * (1 - t2), 1 - 3 * t2 + 4 * t2 * t2
    vl = np.sqrt(cl**2 - A * 0.8 * (1 / cl**2 + (2 / 3) / ct**2))
    vt = np.sqrt(ct**2 - A * 0.4 * (1 / ct**2 + (2 / 3) / cl**2))
    sL, sT = local_s(A, a, cl, ct, w)
    sL0, sT0 = local_s(A, a, cl, ct, np.zeros(1))
    dL, dT = sL - sL0, sT - sT0
    SL = np.empty((len(q), len(w)), complex)
    ST = np.empty((len(q), len(w)), complex)
    for i, k in enumerate(q):
        pre = 2j * A / a * k * k
        (LL1, TL1), (LL2, TL2) = sums(k, a, t, wt, (W_LL, W_LT), w / vl)
        (LT1, TT1), (LT2, TT2) = sums(k, a, t, wt, (W_LT, W_TT), w / vt)
        LL = pre / vl**2 * (LL1 + dL / vl**2 * LL2)
        TL = pre / vl**2 * (TL1 + dL / vl**2 * TL2)
        LT = pre / vt**2 * (LT1 + dT / vt**2 * LT2)
        TT = pre / vt**2 * (TT1 + dT / vt**2 * TT2)
        SL[i] = LL + LT
        ST[i] = 0.5 * (TT + TL)
    return SL, ST


def main():
    cl, ct, A, a, qmin, qmax = map(float, sys.argv[1:7])
    nq, wmax, nw, nt = int(sys.argv[7]), float(sys.argv[8]), int(sys.argv[9]), int(sys.argv[10])
    q = np.geomspace(qmin, qmax, nq)
    w = wmax * np.arange(1, nw + 1) / nw
    t0 = time.perf_counter()
    SL, ST = gba_map(cl, ct, A, a, q, w, nt)
    dt = time.perf_counter() - t0
    print(f"numpy_seconds {dt:.4f}")
    if len(sys.argv) > 11:
        d = np.loadtxt(sys.argv[11], comments="#")
        gL = (d[:, 10] + 1j * d[:, 11]).reshape(nq, nw)
        gT = (d[:, 12] + 1j * d[:, 13]).reshape(nq, nw)
        eL = np.max(np.abs(gL - SL) / np.abs(gL))
        eT = np.max(np.abs(gT - ST) / np.abs(gT))
        print(f"max_rel_diff_L {eL:.3e}")
        print(f"max_rel_diff_T {eT:.3e}")


if __name__ == "__main__":
    main()
