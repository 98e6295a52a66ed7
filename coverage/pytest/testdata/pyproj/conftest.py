# A top-level conftest.py is test support: sprintkit must not measure it.
import pytest


@pytest.fixture
def two():
    return 2
