"""A file in an import's folder that no import names (a process killed between writing it and
committing its row) is deleted by the retention clock job once it is a day old; younger files and
files an import names stay."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from renovation.consultation.models import HouseholdImport
from renovation.finance.models import StatementImport
from renovation.jobs.retention import ORPHAN_GRACE, import_orphans_delete
from renovation.planning.models import PlanImport


def _write(storage, name: str, age: timedelta) -> str:
    name = storage.save(name, ContentFile(b"PK\x03\x04 not really a workbook"))
    stamp = (timezone.now() - age).timestamp()
    os.utime(storage.path(name), (stamp, stamp))  # the test storage is on disk
    return name


@pytest.mark.parametrize("model", [PlanImport, HouseholdImport, StatementImport])
def test_only_old_files_no_import_names_are_deleted(db, model):
    storage = model._meta.get_field("workbook").storage
    folder = str(model._meta.get_field("workbook").upload_to).split("%")[0]
    old = _write(storage, f"{folder}2020/01/killed.xlsx", ORPHAN_GRACE + timedelta(hours=1))
    young = _write(storage, f"{folder}2026/11/uploading.xlsx", ORPHAN_GRACE - timedelta(hours=1))
    elsewhere = _write(storage, "other-files/2020/01/old.xlsx", timedelta(days=400))

    assert import_orphans_delete(model=model) == 1
    assert not storage.exists(old)
    assert storage.exists(young) and storage.exists(elsewhere)
    assert import_orphans_delete(model=model) == 0


def test_an_empty_store_is_no_error(db):
    assert import_orphans_delete(model=PlanImport) == 0
