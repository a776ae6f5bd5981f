import pytest

from renovation import sms


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def last_code() -> str:
    return sms.outbox[-1].params["code"]
