"""Hostile query strings on the notices and the site search get an answer, never a 500 (a NUL
reached PostgreSQL, which refuses it in text)."""

import pytest


@pytest.mark.parametrize(
    "url",
    [
        "/notices/?street=%00",
        "/notices/?street=anyang%00",
        "/notices/feed/?street=%00",
        "/search/?q=%00",
        "/search/?q=%E9%A3%9E%00%E4%BA%91",
        "/search/?q=a%00b&type=notices",
    ],
)
def test_it_answers_a_nul_in_the_query_string(client, site_tree, url):
    assert client.get(url).status_code == 200


def test_it_treats_a_street_with_a_nul_as_that_street(client, notice, personas):
    notice("安阳街道通知", street=personas.street_a_place.community.street)
    notice("玉海街道通知", street=personas.street_b_place.community.street, slug="yuhai")
    html = client.get("/notices/", {"street": "anyang\x00"}).content.decode()
    assert "安阳街道通知" in html and "玉海街道通知" not in html
