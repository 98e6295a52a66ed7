"""Read and write small ini files."""

from .errors import ParseError
from .parser import Section, parse
from .writer import dump

__all__ = ["ParseError", "Section", "dump", "parse"]
__version__ = "0.3.1"
