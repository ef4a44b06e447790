#!/usr/bin/python3
# make_npy.py - writes the reference .npy files in npy/ with real numpy (python3-numpy), so the
# C reader is tested against numpy's own writer. Run from this folder; the files are checked in.
import numpy as np
from numpy.lib import format as fmt

a23 = (np.arange(6, dtype=np.float64).reshape(2, 3) - 2.5) / 4   # -0.625 .. 0.625

np.save("npy/f4_2x3.npy", a23.astype("<f4"))
np.save("npy/f8_3.npy", np.array([0.1, -2.5, 1e300], dtype="<f8"))
np.save("npy/f2_2x2.npy", np.array([[1.0, -0.5], [65504.0, 2.0 ** -24]], dtype="<f2"))
np.save("npy/scalar_f8.npy", np.float64(3.5))
np.save("npy/empty_0x4.npy", np.zeros((0, 4), dtype="<f4"))
for v in (2, 3):
    with open("npy/v%d_f4_2x3.npy" % v, "wb") as f:
        fmt.write_array(f, a23.astype("<f4"), version=(v, 0))
np.save("npy/fortran_2x3.npy", np.asfortranarray(a23.astype("<f4")))
np.save("npy/be_f4_2x3.npy", a23.astype(">f4"))
np.save("npy/i4_3.npy", np.array([1, 2, 3], dtype="<i4"))
np.save("npy/structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<f4")]))
np.save("npy/nan_f4_2x3.npy", np.array([[0, 1, 2], [3, np.nan, 5]], dtype="<f4"))
