import pytest


@pytest.fixture
def joss(client_for):
    return client_for("joss")
