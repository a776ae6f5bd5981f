"""Supervisors see whether their projects keep to the plan on "My work"."""

from datetime import timedelta

from django.utils import timezone


def test_my_work_shows_the_overdue_warning_of_a_supervised_project(cast, client):
    type(cast.project).objects.filter(pk=cast.project.pk).update(planned_end=timezone.localdate() - timedelta(days=4))
    client.force_login(cast.supervisor)
    mine = client.get("/supervise/").content.decode().split("我监督的项目", 1)[1]
    assert "逾期 4 天" in mine
