"""Replicate a Lerner-format .dat snapshot k x k x k times (a larger liquid
start for the quench benchmark). usage: replicate.py IN OUT K"""
import sys
import numpy as np
src, dst, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src) as f:
    head = f.readline().split()
    data = np.loadtxt(f)
L = float(head[0])
d = 3
out = []
for a in range(k):
    for b in range(k):
        for c in range(k):
            blk = data.copy()
            blk[:, :d] = (blk[:, :d] + np.array([a, b, c])) / k
            out.append(blk)
out = np.vstack(out)
head[0] = repr(L * k)
head[3] = "0"  # total energy unknown for the replica
with open(dst, "w") as f:
    f.write("\t".join(head) + "\n")
    np.savetxt(f, out, fmt=["%.10f"] * (out.shape[1] - 1) + ["%d"], delimiter="\t")
