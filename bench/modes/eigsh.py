"""SciPy peer for bench/modes: lowest K non-trivial modes of a Matrix Market
Hessian with eigsh in shift-invert mode (sigma below the spectrum, which='LM').
The 3 translations of a periodic glass are zero modes, so K + dim pairs are
requested and the dim lowest dropped. Prints one JSON line."""
import json
import sys
import time

import numpy as np
import scipy.io
import scipy.sparse.linalg as sla

path, k, dim, sigma = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
t0 = time.perf_counter()
H = scipy.io.mmread(path).tocsc()
t1 = time.perf_counter()
w, v = sla.eigsh(H, k=k + dim, sigma=sigma, which="LM")
t2 = time.perf_counter()
order = np.argsort(w)
w = w[order][dim:]
res = max(np.linalg.norm(H @ v[:, order[dim + j]] - w[j] * v[:, order[dim + j]]) for j in range(k))
print(json.dumps({"read_s": t1 - t0, "eigsh_s": t2 - t1, "omega": np.sqrt(np.abs(w)).tolist(),
                  "max_residual": float(res), "n": H.shape[0], "nnz": int(H.nnz)}))
