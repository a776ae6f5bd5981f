"""The page script's reconnection schedule (thread.js, reconnectDelay), run in Chromium: a random
wait up to 1 s × 2^attempt, at most 30 s, so readers dropped together do not return together."""

from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "renovation/discussion/static/discussion/thread.js"

pytestmark = pytest.mark.slow


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(SCRIPT))
    yield page
    context.close()


def test_it_waits_up_to_a_ceiling_that_doubles_and_stops_at_30_seconds(page):
    ceilings = page.evaluate("[0, 1, 2, 3, 4, 5, 6, 10].map(a => renovationLive.reconnectDelay(a, () => 0.9999999))")
    assert ceilings == [999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]
    assert page.evaluate("renovationLive.reconnectDelay(3, () => 0)") == 0


def test_readers_dropped_together_come_back_spread_out(page):
    delays = page.evaluate("Array.from({length: 500}, () => renovationLive.reconnectDelay(2))")
    assert all(0 <= delay < 4000 for delay in delays)
    # 500 readers at the same attempt: no second holds more than a third of them (uniform: ~a quarter).
    per_second = [sum(1 for delay in delays if second * 1000 <= delay < (second + 1) * 1000) for second in range(4)]
    assert max(per_second) < 500 / 3 and min(per_second) > 500 / 6
    assert len(set(delays)) > 400
