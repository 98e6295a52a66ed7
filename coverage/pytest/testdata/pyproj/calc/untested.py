"""No test imports this module."""


def greet(name):
    message = "hello, " + name
    return message


def shout(name):
    return greet(name).upper()
