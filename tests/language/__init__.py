"""Tests of matderiv.language: shapes, nodes, specs, parsing, printing."""
