"""Site-issue deadline reminders, as a periodic background job (JOBS_SCHEDULE: every 15 minutes)."""

from django_tasks import task

from .services import site_issues_remind_deadlines


@task()
def site_issues_remind() -> int:
    """Remind construction units of deadlines within SITE_ISSUE_REMIND_HOURS (once per deadline)."""
    return site_issues_remind_deadlines()
