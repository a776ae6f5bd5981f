"""三审两公开一备案: stages in their fixed order, rejection back to the first, publication, filing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renovation.consultation.models import DeliberationStage, DeliberationStatus
from renovation.consultation.services import (
    deliberation_file,
    deliberation_implementation_publish,
    deliberation_stage_record,
    deliberation_start,
)
from renovation.projects.models import ProjectStatus

STAGES = ("committee_review", "party_review", "assembly_approval")


@pytest.fixture
def deliberation(personas, consulting):
    return deliberation_start(actor=personas.street_a, project=consulting, subject="加装电梯及费用分摊方案")


def _stage(personas, deliberation, stage, outcome="approved", day=None, minutes="同意"):
    return deliberation_stage_record(
        actor=personas.street_a,
        deliberation=deliberation,
        stage=stage,
        held_on=day or timezone.localdate(),
        outcome=outcome,
        minutes=minutes,
    )


def _approve(personas, deliberation):
    for stage in STAGES:
        _stage(personas, deliberation, stage)
    deliberation.refresh_from_db()


def test_it_publishes_the_deliberation_when_it_starts(deliberation):
    assert deliberation.published_at is not None
    assert deliberation.status == DeliberationStatus.IN_PROGRESS


def test_it_approves_after_the_three_stages_in_order(personas, deliberation):
    _approve(personas, deliberation)
    assert deliberation.status == DeliberationStatus.APPROVED
    assert list(deliberation.stages.values_list("stage", flat=True)) == list(STAGES)


@pytest.mark.parametrize("stage", ["party_review", "assembly_approval"])
def test_it_refuses_to_skip_the_first_stage(personas, deliberation, stage):
    with pytest.raises(ValidationError) as refused:
        _stage(personas, deliberation, stage)
    assert "业委会审议" in refused.value.message_dict["stage"][0]
    assert not DeliberationStage.objects.exists()


def test_it_refuses_to_repeat_or_reorder_a_stage(personas, deliberation):
    _stage(personas, deliberation, "committee_review")
    for wrong in ("committee_review", "assembly_approval"):
        with pytest.raises(ValidationError, match="下一环节应为“小区党组织审核”"):
            _stage(personas, deliberation, wrong)
    assert DeliberationStage.objects.count() == 1


def test_it_sends_a_rejection_back_to_the_first_stage_and_keeps_the_rejected_rows(personas, deliberation):
    _stage(personas, deliberation, "committee_review")
    _stage(personas, deliberation, "party_review", outcome="rejected", minutes="费用分摊方案需重新测算")
    with pytest.raises(ValidationError, match="下一环节应为“业委会审议”"):
        _stage(personas, deliberation, "assembly_approval")
    _approve(personas, deliberation)
    rows = list(deliberation.stages.order_by("pk").values_list("round", "stage", "outcome"))
    assert rows[:2] == [(1, "committee_review", "approved"), (1, "party_review", "rejected")]
    assert [row[:2] for row in rows[2:]] == [(2, stage) for stage in STAGES]
    assert deliberation.status == DeliberationStatus.APPROVED


def test_it_wants_the_reason_for_a_rejection(personas, deliberation):
    with pytest.raises(ValidationError) as refused:
        _stage(personas, deliberation, "committee_review", outcome="rejected", minutes=" ")
    assert "minutes" in refused.value.message_dict


def test_it_files_only_after_approval(personas, deliberation):
    with pytest.raises(ValidationError, match="只有经业主代表大会审定通过的议事才能备案"):
        deliberation_file(actor=personas.street_a, deliberation=deliberation)
    _approve(personas, deliberation)
    deliberation_file(actor=personas.street_a, deliberation=deliberation, filed_on=timezone.localdate())
    deliberation.refresh_from_db()
    assert deliberation.status == DeliberationStatus.FILED and deliberation.filed_with == "安阳街道"
    with pytest.raises(ValidationError, match="该议事的状态为“已向街道备案”，不能再录入环节"):
        _stage(personas, deliberation, "committee_review")


def test_it_publishes_the_implementation_once_approved_and_the_works_have_started(personas, deliberation, consulting):
    with pytest.raises(ValidationError, match="业主代表大会审定通过后才能进行实施公开"):
        deliberation_implementation_publish(actor=personas.street_a, deliberation=deliberation)
    _approve(personas, deliberation)
    # Still consulting: the works have not started.
    with pytest.raises(ValidationError, match="项目开工后才能进行实施公开"):
        deliberation_implementation_publish(actor=personas.street_a, deliberation=deliberation)
    consulting.status = ProjectStatus.UNDER_CONSTRUCTION
    consulting.save()
    deliberation.refresh_from_db()
    deliberation_implementation_publish(actor=personas.street_a, deliberation=deliberation)
    assert deliberation.implementation_published_at is not None


@pytest.mark.parametrize("who", ["street_b", "resident"])
def test_it_lets_only_the_streets_staff_record(personas, deliberation, who):
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        deliberation_stage_record(
            actor=getattr(personas, who),
            deliberation=deliberation,
            stage="committee_review",
            held_on=timezone.localdate(),
            outcome="approved",
        )
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        deliberation_start(actor=getattr(personas, who), project=deliberation.project, subject="x")


def test_it_keeps_history_of_every_step(personas, deliberation):
    _approve(personas, deliberation)
    reasons = list(deliberation.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["deliberation_start", "deliberation_approved"]


def test_it_keeps_the_minutes_attachment_and_refuses_files_a_browser_would_run(personas, deliberation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError, match="html"):
        deliberation_stage_record(
            actor=personas.street_a,
            deliberation=deliberation,
            stage="committee_review",
            held_on=timezone.localdate(),
            outcome="approved",
            attachment=SimpleUploadedFile("minutes.html", b"<script>alert(1)</script>"),
        )
    row = deliberation_stage_record(
        actor=personas.street_a,
        deliberation=deliberation,
        stage="committee_review",
        held_on=timezone.localdate(),
        outcome="approved",
        attachment=SimpleUploadedFile("纪要.pdf", b"%PDF-1.4"),
    )
    assert row.attachment.name.endswith(".pdf") and row.attachment.read() == b"%PDF-1.4"


def test_it_refuses_a_stage_dated_before_the_deliberation_was_made_public(personas, deliberation):
    with pytest.raises(ValidationError) as refused:
        _stage(personas, deliberation, "committee_review", day=timezone.localdate() - timedelta(days=1))
    assert "held_on" in refused.value.message_dict


def test_a_new_round_cannot_be_dated_before_the_rejection(personas, deliberation):
    from datetime import timedelta

    type(deliberation).objects.filter(pk=deliberation.pk).update(published_at=timezone.now() - timedelta(days=30))
    today = timezone.localdate()
    _stage(personas, deliberation, "committee_review", day=today - timedelta(days=10))
    _stage(
        personas, deliberation, "party_review", outcome="rejected", minutes="重新测算", day=today - timedelta(days=2)
    )
    with pytest.raises(ValidationError) as refused:
        _stage(personas, deliberation, "committee_review", day=today - timedelta(days=5))
    assert "held_on" in refused.value.message_dict  # after publication, but before the rejection
    _stage(personas, deliberation, "committee_review", day=today - timedelta(days=1))


def test_a_deliberation_id_that_is_not_a_number_is_not_found(login, personas, deliberation):
    from django.urls import reverse

    url = reverse("consultation_desk", args=[deliberation.project_id])
    response = login(personas.street_a).post(url, {"action": "implementation", "deliberation": "abc"})
    assert response.status_code == 404
