"""Typed values of an ini file."""

TRUE = {"1", "yes", "true", "on"}
FALSE = {"0", "no", "false", "off"}


def as_bool(text):
    word = text.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise ValueError("not a boolean: %r" % text)


def as_list(text, sep=","):
    items = []
    for part in text.split(sep):
        part = part.strip()
        if part:
            items.append(part)
    return items
