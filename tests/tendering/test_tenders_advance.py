from io import StringIO

from django.core.management import call_command

from renovation.tendering.models import Tender, TenderStatus
from tests.tendering.fixtures import open_now


def test_the_command_opens_due_tenders_and_leaves_others(tender_cast):
    tender_cast.three_bids()
    open_now(tender_cast.tender)
    out = StringIO()
    call_command("tenders_advance", stdout=out)
    assert Tender.objects.get(pk=tender_cast.tender.pk).status == TenderStatus.OPENED
    assert "1" in out.getvalue()
    call_command("tenders_advance", stdout=out)  # nothing more to do
    assert Tender.objects.get(pk=tender_cast.tender.pk).releases.count() == 2
