"""Arithmetic, partly tested."""

import functools


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def div(a, b):
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return a / b


def parse(text,
          base=10):
    """Parse a number.

Lines of a docstring may sit at any indentation.
    """
    value = int(text, base)
    return value


def memo(fn):
    cache = {}

    @functools.wraps(fn)
    def wrapper(*args):
        if args not in cache:
            cache[args] = fn(*args)
        return cache[args]

    return wrapper


@memo
def square(x):
    return x * x


class Calculator:
    """Keeps a running total."""

    def __init__(self):
        self.total = 0

    def push(self, x):
        self.total = add(self.total, x)
        return self

    async def fetch(self, source):
        data = await source()
        return data + self.total


def never_called():
    items = [
        1,
        2,
    ]
    return sum(items)
