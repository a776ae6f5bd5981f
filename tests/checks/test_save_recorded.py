"""``save_recorded``, the one way services write a domain row: every check of ``full_clean`` but the
check constraints, with a foreign key to a row already read not asked about again."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renovation.changelog.records import save_recorded
from renovation.projects.models import Project, WorkItem
from tests.factories import ProjectFactory, WorkItemFactory

pytestmark = pytest.mark.django_db


def _project_lookups(queries) -> list[str]:
    table = connection.ops.quote_name(Project._meta.db_table)
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and f"FROM {table}" in q["sql"]]


def test_a_foreign_key_to_a_row_already_read_is_not_looked_up_again():
    project = ProjectFactory()
    item = WorkItem(project=project, category="building", description="外立面整治", budget=1000)

    with CaptureQueriesContext(connection) as queries:
        save_recorded(item, actor=None, reason="test")

    assert _project_lookups(queries.captured_queries) == []
    assert WorkItem.objects.filter(pk=item.pk, project=project).exists()


def test_a_foreign_key_given_by_id_alone_is_still_checked():
    project = ProjectFactory()
    item = WorkItem(project_id=project.pk, category="building", description="外立面整治", budget=1000)

    with CaptureQueriesContext(connection) as queries:
        save_recorded(item, actor=None, reason="test")

    assert len(_project_lookups(queries.captured_queries)) == 1


def test_a_foreign_key_to_a_missing_row_is_refused_with_a_message_and_nothing_is_written():
    missing = Project.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    item = WorkItem(project_id=missing + 1000, category="building", description="外立面整治", budget=1000)

    with pytest.raises(ValidationError) as raised:
        save_recorded(item, actor=None, reason="test")

    assert "project" in raised.value.message_dict
    assert not WorkItem.objects.exists()


def test_a_key_changed_after_its_row_was_read_is_checked_again():
    item = WorkItemFactory()
    item.project_id = Project.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    with pytest.raises(ValidationError) as raised:
        save_recorded(item, actor=None, reason="test")

    assert "project" in raised.value.message_dict


def test_uniqueness_and_field_rules_are_still_checked_with_every_message():
    taken = ProjectFactory()
    project = ProjectFactory.build(code=taken.code, neighbourhood=taken.neighbourhood, name="")

    with pytest.raises(ValidationError) as raised:
        save_recorded(project, actor=None, reason="test")

    assert {"code", "name"} <= set(raised.value.message_dict)
    assert Project.objects.count() == 1
