"""Every release package we publish passes the Open Contracting Partnership's own validator
(libcoveocds) offline: no errors, formats included, no unknown fields, no codes outside the
codelists, with the standard 1.1.5 and the bids extension at the version the package declares."""

import copy
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from renovation.finance.services import ledger_entry_record
from renovation.tendering import contracts, ocds, services
from renovation.tendering.models import Tender, TenderRelease
from tests.tendering.cove import STANDARD_ZIP, problems, review
from tests.tendering.fixtures import AMOUNTS, end_publicity, open_now

FOURTH_AMOUNT = Decimal("889999.99")


def _package(client, tender):
    # Open data lists what is recorded: the tenders_advance job records an opening, a GET never writes.
    services.tenders_catch_up()
    response = client.get(f"/tenders/{tender.pk}/ocds.json")
    assert response.status_code == 200 and response.streaming  # the stored releases, streamed
    chunks = list(response.streaming_content)
    assert len(chunks) == 1 and response["Content-Length"] == str(len(chunks[0]))  # one write, its length
    return json.loads(chunks[0])


def _assert_clean(package):
    found = problems(review(package))
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:15])


def _standard_example(name):
    with zipfile.ZipFile(STANDARD_ZIP) as archive:
        return json.loads(archive.read(f"standard-1__1__5/docs/examples/{name}"))


def _lifecycle(tender_cast, personas, *, disqualify_lowest=True):
    """Announcement → opening → evaluation (the lowest bid disqualified) → award → contract →
    change order → payment; returns the tender and its contract."""
    tender_cast.three_bids()
    # A fourth bid: three valid ones remain when the lowest is disqualified.
    tender_cast.bid(3, amount=FOURTH_AMOUNT, name="丁公司技术标.pdf")
    tender = open_now(tender_cast.tender)
    lowest = tender_cast.bidders[1]  # AMOUNTS[1] is the lowest amount
    services.tender_evaluate(
        actor=personas.street_a,
        tender=tender,
        scores={
            bid.pk: {"compliant": not (disqualify_lowest and bid.bidder_id == lowest.pk)} for bid in tender.bids.all()
        },
    )
    services.tender_publicize(actor=personas.street_a, tender=Tender.objects.get(pk=tender.pk))
    tender = end_publicity(tender)
    services.tender_award(actor=personas.street_a, tender=tender)
    contract = contracts.contract_sign(
        actor=personas.street_a,
        tender=Tender.objects.get(pk=tender.pk),
        data={
            "number": "HT-1",
            "amount": "873456.21",
            "signed_on": date(2026, 5, 1),
            "start_on": date(2026, 5, 2),
            "end_on": date(2026, 8, 1),
        },
    )
    change = contracts.change_order_propose(
        actor=personas.street_a, contract=contract, reason="增项", amount_change=500
    )
    contracts.change_order_decide(
        actor=personas.street_a,
        change_order=change,
        approve=True,
        decided_on=date(2026, 6, 1),
        approval_reference="1号",
    )
    ledger_entry_record(
        actor=personas.street_a,
        data={
            "project": tender.project,
            "kind": "payment",
            "amount": Decimal("200000.00"),
            "booked_on": date(2026, 6, 15),
            "counterparty": contract.contractor.name,
            "purpose": "预付款",
            "contract": contract,
            "bank_reference": "BK-0001",
        },
    )
    return Tender.objects.get(pk=tender.pk), contract


def test_it_passes_the_validator_at_every_release_from_announcement_to_payment(tender_cast, personas, client):
    _assert_clean(_package(client, tender_cast.tender))
    tender, _contract = _lifecycle(tender_cast, personas)
    package = _package(client, tender)
    tags = [release["tag"][0] for release in package["releases"]]
    assert tags == ["tender", "tenderUpdate", "award", "award", "contract", "contractAmendment", "implementation"]
    # Each release alone too, as a consumer reading one step at a time would receive it.
    for release in package["releases"]:
        _assert_clean({**package, "releases": [release]})
    _assert_clean(package)
    bulk = client.get("/tenders/ocds.json")  # streamed, a release at a time
    _assert_clean(json.loads(b"".join(bulk.streaming_content)))


def test_it_passes_the_validator_for_a_failed_tender(tender_cast, client):
    tender_cast.bid(0)
    package = _package(client, open_now(tender_cast.tender))
    assert package["releases"][-1]["tender"]["status"] == "unsuccessful"
    _assert_clean(package)


def test_it_publishes_payer_payee_and_the_bank_reference_as_the_schema_defines(tender_cast, personas, client):
    tender, contract = _lifecycle(tender_cast, personas)
    last = _package(client, tender)["releases"][-1]
    (transaction,) = last["contracts"][0]["implementation"]["transactions"]
    assert transaction["id"] == "BK-0001"  # the bank agent's reference identifies the transaction
    assert "source" not in transaction  # a URI in OCDS, which a bank reference is not
    assert transaction["value"] == {"amount": 200000.0, "currency": "CNY"}
    parties = {party["id"]: party for party in last["parties"]}
    assert "payer" in parties[transaction["payer"]["id"]]["roles"]
    assert "buyer" in parties[transaction["payer"]["id"]]["roles"]
    payee = parties[transaction["payee"]["id"]]
    assert "payee" in payee["roles"]
    assert payee["identifier"]["id"] == contract.contractor.uscc


def test_it_dates_each_release_by_the_event_it_records(tender_cast, personas, client):
    tender, _contract = _lifecycle(tender_cast, personas)
    releases = {release["tag"][0]: release for release in _package(client, tender)["releases"]}
    tender = Tender.objects.select_related("award").get(pk=tender.pk)
    assert releases["tender"]["date"] == ocds._iso(tender.announced_at)
    assert releases["tenderUpdate"]["date"] == ocds._iso(tender.opening_at)
    assert releases["award"]["date"] == ocds._iso(tender.award.awarded_at)
    assert releases["contract"]["date"] == "2026-05-01T00:00:00+08:00"
    assert releases["contractAmendment"]["date"] == "2026-06-01T00:00:00+08:00"
    assert releases["implementation"]["date"] == "2026-06-15T00:00:00+08:00"


def test_it_counts_only_valid_bids_in_the_lowest_valid_bid_value(tender_cast, personas, client):
    tender, _contract = _lifecycle(tender_cast, personas)
    last = _package(client, tender)["releases"][-1]
    statistics = {row["measure"]: row for row in last["bids"]["statistics"]}
    assert statistics["bids"]["value"] == 4
    assert statistics["validBids"]["value"] == 3
    # The lowest bid (861,234.57) was disqualified: the lowest valid one is 873,456.21.
    assert statistics["lowestValidBidValue"]["value"] == float(AMOUNTS[0])
    assert statistics["lowestValidBidValue"]["currency"] == "CNY"
    statuses = sorted(detail["status"] for detail in last["bids"]["details"])
    assert statuses == ["disqualified", "valid", "valid", "valid"]


def test_it_gives_no_lowest_valid_bid_value_before_the_evaluation(tender_cast, client):
    tender_cast.three_bids()
    release = _package(client, open_now(tender_cast.tender))["releases"][-1]
    measures = {row["measure"] for row in release["bids"]["statistics"]}
    assert measures == {"bids"}


def test_it_links_the_publication_policy_to_a_page_that_states_it(tender_cast, client):
    package = _package(client, tender_cast.tender)
    policy = package["publicationPolicy"]
    assert policy.startswith("http://testserver/")
    page = client.get(policy.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert "开放数据发布政策" in page.content.decode()


def test_it_accepts_a_well_formed_package_from_another_publisher():
    for name in ("award.json", "contract.json", "implementation.json", "tender.json"):
        report = review(_standard_example(name))
        assert problems(report) == [], name


def test_it_checks_uri_and_date_time_formats():
    package = _standard_example("award.json")
    broken = copy.deepcopy(package)
    broken["publicationPolicy"] = "BK 0001 not a uri"
    broken["releases"][0]["date"] = "2010-13-45 yesterday"
    errors = review(broken)["validation_errors"]
    # Each broken value is reported at its own path, as the format it breaks (and nothing else).
    found = {(error["path"], error["type"], error["value"]) for error in errors}
    assert found == {
        ("publicationPolicy", "uri", "BK 0001 not a uri"),
        ("releases/0/date", "date-time", "2010-13-45 yesterday"),
    }, errors


def test_it_reports_unknown_fields_and_extension_fields_of_a_later_version():
    package = _standard_example("award.json")
    broken = copy.deepcopy(package)
    broken["extensions"] = [
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
    ]
    broken["releases"][0]["awards"][0]["relatedBids"] = ["a"]  # defined only after v1.1.5
    found = problems(review(broken))
    assert any("relatedBids" in line for line in found), found


def test_it_fails_a_package_without_its_required_fields():
    package = _standard_example("award.json")
    del package["releases"][0]["ocid"]
    assert any("ocid" in line for line in problems(review(package)))


def test_it_classifies_items_from_the_codelist(tender_cast, client):
    items = _package(client, tender_cast.tender)["releases"][0]["tender"]["items"]
    assert {item["classification"]["scheme"] for item in items} == {"CPV"}
    assert all(len(item["classification"]["id"]) == 8 for item in items)


def test_a_draft_has_no_open_data(personas, client):
    from tests.factories import ProjectFactory, WorkItemFactory
    from tests.tendering.fixtures import tender_data

    project = ProjectFactory(neighbourhood=personas.street_a_place, status="approved")
    tender = services.tender_create(
        actor=personas.street_a, data=tender_data(project), work_items=[WorkItemFactory(project=project)]
    )
    assert client.get(f"/tenders/{tender.pk}/ocds.json").status_code == 404
    assert client.get(f"/tenders/{tender.pk}/").status_code == 404


def test_the_ocid_is_built_from_the_configured_prefix(tender_cast, settings):
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    assert tender_cast.tender.ocid == f"ocds-abc123-{tender_cast.tender.code}"


@pytest.mark.parametrize(
    ("page", "ocds"),
    # OCDS reads a page that is not a positive number as the first page; OC4IDS refuses it.
    [("99999999999999999999", 404), ("1000001", 404), ("0", 200), ("-3", 200), ("x", 200)],
)
def test_a_page_number_beyond_any_page_is_a_404_not_a_database_error(client, tender_cast, page, ocds):
    # Found by the query-parameter fuzz on PostgreSQL: the offset overflowed bigint (a 500).
    tender_cast.three_bids()
    services.tenders_catch_up()
    assert client.get("/tenders/ocds.json", {"page": page}).status_code == ocds
    assert client.get("/projects/oc4ids.json", {"page": page}).status_code == 404


def test_it_streams_each_release_as_stored_and_the_same_json_when_encoded_live(tender_cast, personas, client):
    tender, _contract = _lifecycle(tender_cast, personas)
    stored = _package(client, tender)
    releases = TenderRelease.objects.filter(tender=tender).order_by("pk")
    assert all(release.text_format == ocds.RELEASE_TEXT_FORMAT for release in releases)
    assert [json.loads(release.text) for release in releases] == [release.data for release in releases]
    bulk = json.loads(b"".join(client.get("/tenders/ocds.json").streaming_content))
    # No stored copy for one, an older format's copy for the others: each is encoded live from its data.
    first = releases.first().pk
    TenderRelease.objects.filter(pk=first).update(text="")
    TenderRelease.objects.filter(tender=tender).exclude(pk=first).update(text='{"stale": true}', text_format=0)
    live = _package(client, tender)
    assert live["releases"] == stored["releases"]
    assert json.loads(b"".join(client.get("/tenders/ocds.json").streaming_content))["releases"] == bulk["releases"]
    _assert_clean(live)
    # The GETs wrote nothing: the copies are as they were left.
    assert TenderRelease.objects.get(pk=first).text == ""
    assert set(TenderRelease.objects.exclude(pk=first).values_list("text_format", flat=True)) == {0}


def test_a_release_text_altered_or_copied_in_the_database_is_not_sent(tender_cast, personas, client, caplog):
    tender, _contract = _lifecycle(tender_cast, personas)
    stored = _package(client, tender)
    releases = list(TenderRelease.objects.filter(tender=tender).order_by("pk"))
    assert all(
        ocds.release_signature(release.release_id, release.text) == release.text_signature for release in releases
    )
    first, second = releases[0], releases[1]
    TenderRelease.objects.filter(pk=first.pk).update(text=first.text.replace(tender.title, "篡改的标题"))
    # Another release's text with its own (valid) signature: signed for that release, not this one.
    TenderRelease.objects.filter(pk=second.pk).update(text=first.text, text_signature=first.text_signature)
    assert _package(client, tender)["releases"] == stored["releases"]
    bulk = json.loads(b"".join(client.get("/tenders/ocds.json").streaming_content))
    by_id = {release["id"]: release for release in bulk["releases"]}
    assert [by_id[release.release_id] for release in releases] == stored["releases"]
    assert "篡改的标题" not in json.dumps(bulk, ensure_ascii=False)
    assert caplog.text.count("not signed by this site") == 2  # one per release, not one per request


def test_the_clock_encodes_and_signs_again_what_a_new_key_or_a_hand_left_unsendable(tender_cast, personas, settings):
    tender, _contract = _lifecycle(tender_cast, personas)
    releases = list(TenderRelease.objects.filter(tender=tender).order_by("pk"))
    first, second = releases[0], releases[1]
    as_recorded = {release.pk: json.loads(release.text) for release in releases}
    TenderRelease.objects.filter(pk=first.pk).update(text=first.text.replace(tender.title, "篡改的标题"))
    TenderRelease.objects.filter(pk=second.pk).update(text_format=1)  # an older format
    assert ocds.release_texts_refresh(batch=2) == 2  # only those two, across batches
    assert {
        release.pk: json.loads(release.text) for release in TenderRelease.objects.filter(tender=tender)
    } == as_recorded
    assert ocds.release_texts_refresh() == 0

    settings.SECRET_KEY = "a-new-key-" + "x" * 50  # rotated: no stored text verifies any more
    assert not any(ocds._kept(*row) for row in _stored_rows(tender))
    assert ocds.release_texts_refresh() == len(releases)
    assert all(ocds._kept(*row) for row in _stored_rows(tender))
    assert {
        release.pk: json.loads(release.text) for release in TenderRelease.objects.filter(tender=tender)
    } == as_recorded


def _stored_rows(tender):
    fields = ("release_id", "text", "text_format", "text_signature")
    return TenderRelease.objects.filter(tender=tender).values_list(*fields)


def test_the_streamed_package_is_the_same_json_as_one_encoding_with_quotes_backslashes_and_chinese():
    """package_chunks joins stored release texts into the package: valid JSON, equal to encoding the
    whole package at once, with quotes, backslashes, brackets, a ``</script>`` and Chinese intact."""
    releases = [
        {"id": "r-1", "tender": {"title": '飞云花园 "一期" C:\\路面\\[改造]', "description": "</script>\u2028]}"}},
        {"id": "r-2", "tender": {"title": "二期", "items": [{"id": "1", "description": "[]{}"}]}},
    ]
    package = ocds.release_package([], uri="http://testserver/tenders/1/ocds.json?x=[1]", policy="http://p/[x]")
    text = "".join(ocds.package_chunks(package, [ocds.release_text(release) for release in releases]))
    assert json.loads(text) == ocds.release_package(
        releases, uri="http://testserver/tenders/1/ocds.json?x=[1]", policy="http://p/[x]", published=None
    ) | {"publishedDate": package["publishedDate"]}
    assert "飞云花园" in text  # not \\u-escaped
