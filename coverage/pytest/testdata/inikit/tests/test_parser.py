import pytest

from inikit import ParseError, parse


def test_sections_and_values():
    cfg = parse("# comment\n[server]\nhost = example.org\nport=8080\n\n[client]\nretries = 3\n")
    assert cfg["server"].get("host") == "example.org"
    assert cfg["server"].get("port") == "8080"
    assert cfg["client"].get("missing", "x") == "x"


def test_defaults_section():
    cfg = parse("[a]\nk = v\n", defaults={"debug": "off"})
    assert cfg["DEFAULT"].getbool("debug") is False


def test_typed_values():
    cfg = parse("[a]\nverbose = yes\nnames = ann, bob\n")
    assert cfg["a"].getbool("verbose") is True
    assert cfg["a"].getlist("names") == ["ann", "bob"]


@pytest.mark.parametrize(
    "text, line",
    [("[open\n", 1), ("k = v\n", 1), ("[a]\nnovalue\n", 2)],
)
def test_errors_name_the_line(text, line):
    with pytest.raises(ParseError) as err:
        parse(text)
    assert err.value.line == line
