from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renovation.projects.models import Project, ProjectStatus
from renovation.projects.services import project_create, project_update, work_item_create, work_item_update
from tests.factories import ProjectFactory, WorkItemFactory


def test_it_creates_a_project_with_a_name_and_address_from_its_neighbourhood(personas):
    project = project_create(
        actor=personas.street_a,
        data={"neighbourhood": personas.street_a_place, "code": "RA-2024-01", "plan_year": 2024},
    )
    assert project.name == "飞云花园改造"
    assert project.slug == "2024-飞云花园"
    assert project.history.get().history_user == personas.street_a


def test_it_refuses_street_staff_creating_in_another_street(personas):
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        project_create(
            actor=personas.street_b,
            data={"neighbourhood": personas.street_a_place, "code": "RA-2024-01", "plan_year": 2024},
        )
    assert not Project.objects.exists()


def test_it_refuses_street_staff_editing_another_streets_project(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        project_update(actor=personas.street_b, project=project, data={"summary": "改了"})
    project.refresh_from_db()
    assert project.summary == ""


def test_it_refuses_moving_a_project_into_a_street_one_does_not_manage(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的项目"):
        project_update(actor=personas.street_a, project=project, data={"neighbourhood": personas.street_b_place})
    project.refresh_from_db()
    assert project.neighbourhood == personas.street_a_place


def test_it_refuses_an_actual_end_before_the_start_and_changes_nothing(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, actual_start=date(2023, 5, 1))
    with pytest.raises(ValidationError) as error:
        project_update(
            actor=personas.street_a,
            project=project,
            data={"actual_end": date(2023, 4, 1), "summary": "不应保存"},
        )
    assert "actual_end" in error.value.message_dict
    project.refresh_from_db()
    assert project.actual_end is None
    assert project.summary == ""


def test_it_refuses_a_status_jump_the_lifecycle_does_not_allow(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.PROPOSED)
    with pytest.raises(ValidationError) as error:
        project_update(actor=personas.bureau, project=project, data={"status": ProjectStatus.ACCEPTED})
    assert "status" in error.value.message_dict
    project.refresh_from_db()
    assert project.status == ProjectStatus.PROPOSED


def test_it_records_a_status_change_with_its_reason(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.PROPOSED)
    project_update(actor=personas.bureau, project=project, data={"status": ProjectStatus.CONSULTING})
    latest = project.history.order_by("-history_date").first()
    assert latest.status == ProjectStatus.CONSULTING
    assert latest.history_change_reason == "project_status_change"
    assert latest.history_user == personas.bureau


def test_it_refuses_a_negative_work_item_budget_and_saves_nothing(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    with pytest.raises(ValidationError) as error:
        work_item_create(
            actor=personas.street_a,
            data={"project": project, "category": "building", "description": "外立面", "budget": Decimal("-1")},
        )
    assert "budget" in error.value.message_dict
    assert project.work_items.count() == 0


def test_it_reweighs_the_project_when_a_budget_changes(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place)
    done = WorkItemFactory(project=project, budget=Decimal("100000"), progress=Decimal("100"))
    WorkItemFactory(project=project, budget=Decimal("100000"), progress=Decimal("0"))
    work_item_update(actor=personas.bureau, work_item=done, data={"budget": Decimal("300000")})
    project.refresh_from_db()
    assert project.progress == Decimal("75.00")


def test_it_gives_a_clear_message_in_chinese(personas):
    project = ProjectFactory(neighbourhood=personas.street_a_place, actual_start=date(2023, 5, 1))
    with pytest.raises(ValidationError) as error:
        project_update(actor=personas.street_a, project=project, data={"actual_end": date(2023, 4, 1)})
    assert "实际竣工日期不能早于实际开工日期" in error.value.message_dict["actual_end"][0]


@pytest.mark.parametrize("missing", ["planned_start", "planned_end"])
def test_it_refuses_construction_without_planned_dates(personas, missing):
    project = ProjectFactory(neighbourhood=personas.street_a_place, status=ProjectStatus.TENDERING, **{missing: None})
    with pytest.raises(ValidationError) as error:
        project_update(actor=personas.bureau, project=project, data={"status": ProjectStatus.UNDER_CONSTRUCTION})
    assert error.value.message_dict == {missing: ["开工前请填写计划日期。"]}
    project.refresh_from_db()
    assert project.status == ProjectStatus.TENDERING
