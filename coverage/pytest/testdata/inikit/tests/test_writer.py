from inikit import dump, parse


def test_round_trip_sorted():
    text = "[b]\nz = 1\ny = 2\n[a]\nx = 3\n"
    assert dump(parse(text), sort_keys=True) == "[b]\ny = 2\nz = 1\n\n[a]\nx = 3\n"
