import pytest

from inikit.values import as_bool


def test_as_bool_rejects_other_words():
    with pytest.raises(ValueError):
        as_bool("maybe")
