"""Tests of matderiv.checks: inputs, numerical JVP, comparisons, exact route, check log."""
