"""Admin create and edit screens that the back office does not offer answer 404 to everyone.

Wagtail's generic create/edit views save the form themselves; where a viewset has no service for
that write (or says the screen is off) the screen must not be reachable at all. Before this, the
bidder edit screen saved through ``update_service = None`` and answered 500.
"""

import pytest
from django.urls import get_resolver, reverse
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.model import ModelViewSet

from renovation.backoffice.views import ClosedScreensMixin
from renovation.tendering.models import Bidder

pytestmark = pytest.mark.django_db


def _closed_screens() -> list[tuple[str, str]]:
    """(viewset name, screen) for every closed create or edit screen registered in the admin."""
    assert get_resolver().url_patterns  # the admin registers its viewsets when its URLs load
    closed = []
    for viewset in viewsets.viewsets:
        if isinstance(viewset, ModelViewSet) and isinstance(viewset, ClosedScreensMixin):
            if not viewset.add_screen_open():
                closed.append((viewset.url_namespace, "add"))
            if not viewset.edit_screen_open():
                closed.append((viewset.url_namespace, "edit"))
    return sorted(closed)


def test_it_knows_every_closed_screen():
    # The viewsets that write only through their own pages (review, desk, moderation, SMS).
    assert _closed_screens() == [
        ("bidder", "add"),
        ("bidder", "edit"),
        ("comment", "add"),
        ("consultation_intent", "add"),
        ("contract", "edit"),
        ("progressphoto", "add"),  # photos come with their progress report; editing one withdraws it
        ("siteissue", "add"),
        ("sms_userphone", "add"),
        ("sms_userphone", "edit"),
    ]


def test_it_answers_404_on_every_closed_screen_even_to_a_superuser(personas, login):
    client = login(personas.superuser)
    for name, screen in _closed_screens():
        url = reverse(f"{name}:{screen}") if screen == "add" else reverse(f"{name}:{screen}", args=[1])
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x"}).status_code == 404, url


def test_it_refuses_to_save_a_bidder_from_the_old_edit_screen(tender_cast, personas, login):
    bidder = tender_cast.bidders[0]
    response = login(personas.bureau).post(
        reverse("bidder:edit", args=[bidder.pk]), {"name": "改名公司", "uscc": bidder.uscc}
    )
    assert response.status_code == 404
    assert Bidder.objects.get(pk=bidder.pk).name == "瑞安甲建设有限公司"


def test_it_links_no_closed_screen_from_the_listing(tender_cast, personas, login):
    response = login(personas.superuser).get(reverse("bidder:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("bidder:edit", args=[tender_cast.bidders[0].pk]) not in body
    assert reverse("bidder:add") not in body
    # The company's name still leads to its qualification review.
    assert reverse("bidder_review", args=[tender_cast.bidders[0].pk]) in body


def test_it_keeps_open_screens_open(personas, login):
    client = login(personas.superuser)
    assert client.get(reverse("project:add")).status_code == 200
    assert client.get(reverse("contract:add")).status_code == 200
