"""Every node class of the expression tree, in one namespace.

The modules that dispatch over every kind of node (the printers, the evaluator, the code
generator, lowering, the parser) import this module and write ``nodes.Add``, ``nodes.Trace``,
instead of each repeating a long list of names.
"""

from __future__ import annotations

from .arrays import Extremum, ExtremumOp, Join, JoinKind, Reshape, Span, Subscript
from .expression import Add, Const, Expr, Func, MatMul, Mul, Pi, Pow, Size, Transpose, Var
from .functions import (
    Det,
    Diag,
    Einsum,
    Eye,
    Inv,
    KeepDims,
    Kron,
    LogDet,
    LogSumExp,
    Norm,
    Ones,
    Outer,
    Reduce,
    Softmax,
    Trace,
    Unary,
    Vec,
)

__all__ = [
    "Add",
    "Const",
    "Det",
    "Diag",
    "Einsum",
    "Expr",
    "Extremum",
    "ExtremumOp",
    "Eye",
    "Func",
    "Inv",
    "Join",
    "JoinKind",
    "KeepDims",
    "Kron",
    "LogDet",
    "LogSumExp",
    "MatMul",
    "Mul",
    "Norm",
    "Ones",
    "Outer",
    "Pi",
    "Pow",
    "Reduce",
    "Reshape",
    "Size",
    "Softmax",
    "Span",
    "Subscript",
    "Trace",
    "Transpose",
    "Unary",
    "Var",
    "Vec",
]
