"""Failed jobs are visible to bureau staff with their error (personal data masked) and can be retried."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renovation.jobs.models import JobRetry
from renovation.jobs.services import job_retry
from renovation.notifications.tasks import notification_emails_send

pytestmark = pytest.mark.usefixtures("database_queue")

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "renovation/notifications/services.py", line 70, in notification_emails_send\n'
    "smtplib.SMTPRecipientsRefused: {'wang.li@example.com': (550, b'no such user')} for 13812345678\n"
)


@pytest.fixture
def failed_job(db) -> DBTaskResult:
    result = notification_emails_send.enqueue(notification_ids=[1, 2])
    job = DBTaskResult.objects.get(pk=result.id)
    job.claim("worker-1")
    job.status = TaskResultStatus.FAILED
    job.finished_at = timezone.now()
    job.exception_class_path = "smtplib.SMTPRecipientsRefused"
    job.traceback = TRACEBACK
    job.save()
    return job


def test_bureau_staff_see_the_failed_job_and_its_error_without_personal_data(login, personas, failed_job):
    response = login(personas.bureau).get("/admin/jobs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "通知邮件" in page  # the job, in words
    assert "smtplib.SMTPRecipientsRefused" in page and "no such user" in page
    assert "wang.li@example.com" not in page and "13812345678" not in page
    assert "***@***" in page
    assert f"/admin/jobs/{failed_job.pk}/retry/" in page


@pytest.mark.parametrize("who", ["street_a", "resident"])
def test_others_may_not_see_the_jobs(login, personas, failed_job, who):
    client = login(getattr(personas, who))
    response = client.get("/admin/jobs/")
    if who == "resident":  # not staff: Wagtail sends them to sign in
        assert response.status_code == 302
    else:
        assert response.status_code == 403
        assert "wang.li" not in response.content.decode()


def test_retry_puts_the_job_back_in_the_queue_and_records_who(login, personas, failed_job):
    response = login(personas.bureau).post(f"/admin/jobs/{failed_job.pk}/retry/")
    assert response.status_code == 302
    failed_job.refresh_from_db()
    assert failed_job.status == TaskResultStatus.READY
    assert (failed_job.traceback, failed_job.worker_ids) == ("", [])
    assert DBTaskResult.objects.ready().filter(pk=failed_job.pk).exists()
    retry = JobRetry.objects.get()
    assert (retry.job_id, retry.retried_by, retry.error_class) == (
        failed_job.pk,
        personas.bureau,
        "smtplib.SMTPRecipientsRefused",
    )


def test_street_staff_cannot_retry(login, personas, failed_job):
    response = login(personas.street_a).post(f"/admin/jobs/{failed_job.pk}/retry/")
    assert response.status_code == 403
    failed_job.refresh_from_db()
    assert failed_job.status == TaskResultStatus.FAILED
    with pytest.raises(PermissionDenied, match="只有住建局工作人员可以重试后台任务"):
        job_retry(actor=personas.street_a, job_id=failed_job.pk)


def test_a_job_retried_twice_goes_back_once(personas, failed_job):
    job_retry(actor=personas.bureau, job_id=failed_job.pk)
    with pytest.raises(ValidationError) as error:
        job_retry(actor=personas.bureau, job_id=failed_job.pk)
    assert error.value.messages == ["该任务没有失败，或已经重试过：无需再试。"]
    assert JobRetry.objects.count() == 1


def test_the_page_says_when_no_worker_runs(login, personas, db):
    page = login(personas.bureau).get("/admin/jobs/").content.decode()
    assert "没有正在运行的后台进程" in page


def test_its_query_count_does_not_grow_with_the_failed_jobs(login, personas, failed_job):
    client = login(personas.bureau)
    client.get("/admin/jobs/")  # warm-up: session, user, Wagtail's menu

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/jobs/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(5):
        job = DBTaskResult.objects.get(pk=notification_emails_send.enqueue(notification_ids=[3]).id)
        DBTaskResult.objects.filter(pk=job.pk).update(
            status=TaskResultStatus.FAILED, finished_at=timezone.now(), exception_class_path="OSError", traceback="x"
        )
    assert count() == one
