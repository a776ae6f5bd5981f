"""``choice_label`` (the cheaper ``get_FOO_display``) translates in the language active when it is
called, never the one at import, and answers an unknown stored value as it is, as Django's does."""

from django.utils import translation

from renovation.projects.models import Project, ProjectStatus, WorkCategory, WorkItem, choice_label


def test_it_translates_in_the_language_active_at_call_time():
    project = Project(status=ProjectStatus.UNDER_CONSTRUCTION)
    item = WorkItem(category=WorkCategory.ROADS, status="not_started")
    with translation.override("en"):
        english = (project.get_status_display(), item.get_category_display(), item.get_status_display())
    with translation.override("zh-hans"):
        chinese = (project.get_status_display(), item.get_category_display(), item.get_status_display())
    with translation.override("en"):
        assert english == tuple(
            str(dict(field.flatchoices)[value])
            for field, value in (
                (Project._meta.get_field("status"), project.status),
                (WorkItem._meta.get_field("category"), item.category),
                (WorkItem._meta.get_field("status"), item.status),
            )
        )
    assert all(any("\u4e00" <= char <= "\u9fff" for char in label) for label in chinese), chinese


def test_an_unknown_value_is_answered_as_stored():
    assert choice_label(ProjectStatus, "no-such-status") == "no-such-status"
    assert Project(status="").get_status_display() == ""
