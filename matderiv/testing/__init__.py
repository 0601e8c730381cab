"""Tools for testing code that derives with matderiv, and matderiv itself.

- :mod:`matderiv.testing.oracle`: an independent oracle. It evaluates printed results with
  plain numpy and compares every output of a derivation (evaluate, compile, each layout, the
  einsum text, the printed matrix form parsed back) with central finite differences.
- :mod:`matderiv.testing.strategies`: Hypothesis strategies of well-typed expressions, with
  broadcasting, reductions and size-1 axes, and random text and token soups for the parser.
- :mod:`matderiv.testing.structured`: expressions with square variables declared symmetric or
  diagonal, and the convention of the derivative (the oracle checks it in its own sense).

The test suite and ``benchmarks/fuzz.py`` share them. Hypothesis is needed only for the
strategies (it is in the ``test`` extra). Nothing in ``matderiv`` imports this package.
"""
