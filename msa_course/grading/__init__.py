"""Exercises: the nbgrader source format, `release` (solutions -> exercises), visible checks."""
