"""A small ini parser."""

from .errors import ParseError
from .values import as_bool, as_list


class Section:
    """One [section] and its values."""

    def __init__(self, name):
        self.name = name
        self.values = {}

    def get(self, key, default=None):
        if key in self.values:
            return self.values[key]
        return default

    def getbool(self, key):
        return as_bool(self.values[key])

    def getlist(self, key):
        return as_list(self.values[key])


def parse(text, defaults=None):
    sections = {}
    if defaults:
        sections["DEFAULT"] = Section("DEFAULT")
        sections["DEFAULT"].values.update(defaults)
    current = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise ParseError(number, "unclosed section header")
            current = Section(line[1:-1].strip())
            sections[current.name] = current
        elif current is None:
            raise ParseError(number, "a value before any section")
        else:
            key, sep, value = line.partition("=")
            if not sep:
                raise ParseError(number, "no '=' in %r" % line)
            current.values[key.strip()] = value.strip()
    return sections
