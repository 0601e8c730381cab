"""Constants that the two matrix-function backends share: the numpy kernels
(:mod:`matderiv.language.kernels`) and the pure-Python ones (:mod:`matderiv.numeric.pure_matfun`),
so that both decide degenerate points and scale the exponential alike."""

from __future__ import annotations

__all__ = ["GAP", "PADE13", "THETA13"]

#: Relative gap (to the largest eigenvalue or singular value, or the largest |entry|) below
#: which two values count as equal, or a value as zero: the derivative does not exist there.
GAP = 1e-8

#: Coefficients of the degree-13 Padé approximant of exp (Higham 2005, scaling and squaring).
PADE13 = (
    64764752532480000.0,
    32382376266240000.0,
    7771770303897600.0,
    1187353796428800.0,
    129060195264000.0,
    10559470521600.0,
    670442572800.0,
    33522128640.0,
    1323241920.0,
    40840800.0,
    960960.0,
    16380.0,
    182.0,
    1.0,
)
#: The 1-norm up to which the degree-13 approximant needs no scaling.
THETA13 = 5.371920351148152
