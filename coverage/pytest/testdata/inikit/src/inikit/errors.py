"""The errors inikit raises."""


class ParseError(ValueError):
    """A line of an ini file that does not parse."""

    def __init__(self, line, message):
        super().__init__("line %d: %s" % (line, message))
        self.line = line
