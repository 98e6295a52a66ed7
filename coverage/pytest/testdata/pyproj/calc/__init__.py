"""A tiny calculator: the Python fixture of sprintkit's coverage tests."""

from calc.ops import add, sub

__all__ = ["add", "sub"]
