"""One migration per test run on PostgreSQL: the test database is migrated once into a template
and every pytest-xdist worker, then the serial run, starts from a copy of it.

Wagtail and the apps have hundreds of migrations; migrating them once per worker and once more for
the serial run was three migrations per `make test`. `make test` sets ``TEST_DB_RUN`` (a fresh id
each run, so the template is always built from this checkout's migrations, never kept between
runs) and drops the template at the end (``python -m tests.testdb drop``). The first process to
need a database builds the template under a PostgreSQL advisory lock, the others wait for it, and
each takes its own copy with ``CREATE DATABASE … TEMPLATE`` (a file copy: a second or two).

Without ``TEST_DB_RUN``, on SQLite, or with ``--reuse-db``, pytest-django's own set-up runs
unchanged.

On PostgreSQL the flush after each transactional test deletes the rows of the tables that hold
any instead of truncating all of them (``_flush_by_delete``).
"""

from __future__ import annotations

import hashlib
import os
import sys
import types

import pytest

RUN_VARIABLE = "TEST_DB_RUN"


def template_name(database_name: str, run: str) -> str:
    """``test_<database>_tpl_<run>``, within PostgreSQL's 63-byte names."""
    name = f"test_{database_name}_tpl_{run}"
    if len(name.encode()) > 63:
        name = f"test_tpl_{run}_{hashlib.sha256(database_name.encode()).hexdigest()[:16]}"
    return name[:63]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _template_applies(connection, keepdb: bool, use_migrations: bool) -> bool:
    from django.conf import settings

    return bool(
        os.environ.get(RUN_VARIABLE)
        and connection.vendor == "postgresql"
        and not keepdb
        and use_migrations
        and len(settings.DATABASES) == 1
    )


def _from_template(connection, verbosity: int) -> str:
    """Point ``connection`` at a fresh copy of this run's migrated template (built first if no
    process of this run has built it yet); returns the name the connection had before."""
    from django.conf import settings

    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation._get_test_db_name()
    template = template_name(old_name, os.environ[RUN_VARIABLE])
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [template])  # this run's processes only
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if cursor.fetchone() is None:
                test_settings = connection.settings_dict.setdefault("TEST", {})
                kept = test_settings.get("NAME")
                test_settings["NAME"] = template
                try:
                    connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
                except BaseException:
                    # A half-migrated template must not be copied by the processes waiting for it.
                    connection.close()
                    cursor.execute(f"DROP DATABASE IF EXISTS {_quote(template)}")
                    raise
                finally:
                    test_settings["NAME"] = kept
                    connection.close()  # no session may stay on a template that is being copied
                    connection.settings_dict["NAME"] = old_name
                    settings.DATABASES[connection.alias]["NAME"] = old_name
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(test_name)}")
            cursor.execute(f"CREATE DATABASE {_quote(test_name)} TEMPLATE {_quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [template])
    connection.close()
    connection.settings_dict["NAME"] = test_name
    settings.DATABASES[connection.alias]["NAME"] = test_name
    if verbosity >= 1:
        print(f"Using test database {test_name!r}, a copy of {template!r}", file=sys.stderr)
    return old_name


@pytest.fixture(scope="session", name="django_db_setup")
def _template_django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's ``django_db_setup``, with the template copy on PostgreSQL when
    ``TEST_DB_RUN`` is set."""
    yield from _django_db_setup(
        request, django_db_blocker, django_db_use_migrations, django_db_keepdb, django_db_createdb
    )


def pytest_configure(config) -> None:
    # Registered again here, after pytest-django (an entry-point plugin, registered after this -p
    # plugin), so that this django_db_setup is the one used. A conftest would do the same, but
    # every conftest is part of the mutation runner's cache keys (tests/mutation/run.py).
    late = types.ModuleType("tests.testdb.late")
    late.django_db_setup = _template_django_db_setup
    config.pluginmanager.register(late, "renovation-testdb-late")
    _flush_by_delete()


def _flush_by_delete() -> None:
    """After each transactional test (``transactional_db``, ``live_server``) Django's ``flush``
    empties every table; on PostgreSQL that is one TRUNCATE of all ~170 tables, which gives each
    table and index a new file and took 5-8 s a test on the loaded CI box. The same end state, every
    table empty, comes from DELETE on just the tables that hold rows (one probe query finds them,
    usually a handful): every foreign key Django makes is DEFERRABLE INITIALLY DEFERRED, so the
    order does not matter within the flush's transaction, and the database has no triggers. The
    post-migrate signal still runs afterwards, as before. Asked to reset sequences or to cascade,
    Django's own TRUNCATE runs."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    if getattr(truncate, "deletes_written_tables", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        quote = self.quote_name
        probe = " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})" for table in tables)
        with self.connection.cursor() as cursor:
            cursor.execute(probe, list(tables))
            written = [row[0] for row in cursor.fetchall()]
        return ["SET CONSTRAINTS ALL DEFERRED", *(f"{style.SQL_KEYWORD('DELETE FROM')} {quote(t)};" for t in written)]

    sql_flush.deletes_written_tables = True
    DatabaseOperations.sql_flush = sql_flush


def _django_db_setup(request, django_db_blocker, django_db_use_migrations, django_db_keepdb, django_db_createdb):
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    verbosity = request.config.option.verbose
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    connection = connections["default"]
    keepdb = django_db_keepdb and not django_db_createdb
    if "default" in aliases and _template_applies(connection, keepdb, django_db_use_migrations):
        with django_db_blocker.unblock():
            old_name = _from_template(connection, verbosity)
            if "default" in serialized_aliases:
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
        yield
        with django_db_blocker.unblock():
            try:
                connection.creation.destroy_test_db(old_name, verbosity=verbosity, keepdb=False)
            except Exception as exc:  # as pytest-django: a session still open (a test's worker) warns
                request.node.warn(pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}"))
        return

    if not django_db_use_migrations:
        _disable_migrations()
    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            **({"keepdb": True} if keepdb else {}),
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=verbosity)
            except Exception as exc:
                request.node.warn(pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}"))


def drop(run: str) -> None:
    """Drop this run's template (``make test`` calls it at the end, failed or not)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renovation.settings.test")
    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    template = template_name(connection.settings_dict["NAME"], run)
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quote(template)}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "drop":
        sys.exit("usage: python -m tests.testdb drop <run>")
    drop(sys.argv[2])
