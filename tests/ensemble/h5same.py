"""Compare two glassvib HDF5 outputs bit for bit: every dataset and attribute,
except /provenance (date, command line, threads) and anything named *wall*
(timings). Exit 0 if identical, 1 with the first difference otherwise."""
import sys

import h5py
import numpy as np


def items(f):
    out = {}

    def visit(name, obj):
        if name.startswith("provenance") or "wall" in name:
            return
        if isinstance(obj, h5py.Dataset):
            out["D:" + name] = obj[()]
        for k, v in obj.attrs.items():
            if "wall" not in k:
                out["A:" + name + "@" + k] = v

    for k, v in f.attrs.items():
        out["A:/@" + k] = v
    f.visititems(visit)
    return out


a, b = (items(h5py.File(p, "r")) for p in sys.argv[1:3])
if a.keys() != b.keys():
    print("different contents:", sorted(set(a) ^ set(b)))
    sys.exit(1)
for k in sorted(a):
    x, y = np.asarray(a[k]), np.asarray(b[k])
    if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
        print("differs:", k)
        sys.exit(1)
print("identical: %d datasets/attributes" % len(a))
