import pytest

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "clock"]}}


@pytest.fixture
def database_queue(settings):
    """Jobs become rows in the database (as in production) instead of running at once."""
    settings.TASKS = DATABASE_BACKEND
