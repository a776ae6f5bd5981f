from io import StringIO

from django.core.management import call_command

from renovation.tendering import services
from renovation.tendering.models import Tender, TenderStatus
from tests.factories import WorkItemFactory
from tests.tendering.fixtures import open_now, tender_data


def test_the_command_opens_due_tenders_and_leaves_others(tender_cast, personas):
    tender_cast.three_bids()
    later = services.tender_announce(
        actor=personas.street_a,
        tender=services.tender_create(
            actor=personas.street_a,
            data=tender_data(tender_cast.project, title="另一标段"),
            work_items=[WorkItemFactory(project=tender_cast.project)],
        ),
    )
    open_now(tender_cast.tender)
    out = StringIO()
    call_command("tenders_advance", stdout=out)
    assert Tender.objects.get(pk=tender_cast.tender.pk).status == TenderStatus.OPENED
    assert Tender.objects.get(pk=later.pk).status == TenderStatus.BIDDING  # not due: left as it was
    assert Tender.objects.get(pk=later.pk).releases.count() == 1
    assert out.getvalue().strip() == "1 tender(s) moved on."
    call_command("tenders_advance", stdout=out)  # nothing more to do
    assert Tender.objects.get(pk=tender_cast.tender.pk).releases.count() == 2
