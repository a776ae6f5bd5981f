"""Move private files that older releases stored with the public uploads into private storage.

Until files were split into a public and a private storage, every upload (site-issue photos,
qualification documents, sealed proposals, import workbooks) lay under MEDIA_ROOT, which nginx
served at /media/. Run once after upgrading (deploy/README.md, "Upgrades"); running it again moves
nothing. The stored names do not change, so the database and its history stay as they are.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage, storages
from django.core.management.base import BaseCommand
from django.db.models import FileField, Model

from renovation.files.storage import PRIVATE


def private_file_fields() -> list[tuple[type[Model], str]]:
    """Every (model, field name) whose files belong in private storage."""
    private = storages[PRIVATE]
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField) and field.storage is private:
                found.append((model, field.name))
    return found


class Command(BaseCommand):
    help = (
        "Move private uploads (site-issue photos, qualification documents, sealed bids, workbooks) "
        "out of the public media storage."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would move; change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        private = storages[PRIVATE]
        moved = already = missing = 0
        for model, field_name in private_file_fields():
            names = model._default_manager.exclude(**{field_name: ""}).values_list(field_name, flat=True)
            for name in names.iterator():
                if private.exists(name):
                    already += 1
                    continue
                if not default_storage.exists(name):
                    missing += 1
                    self.stderr.write(f"missing: {model._meta.label}.{field_name} {name}")
                    continue
                moved += 1
                self.stdout.write(f"{'would move' if dry_run else 'moving'}: {name}")
                if dry_run:
                    continue
                with default_storage.open(name, "rb") as handle:
                    stored = private.save(name, handle)
                if stored != name:  # cannot happen while the private copy is absent; never lose track
                    raise RuntimeError(f"{name} was stored as {stored}; nothing deleted.")
                default_storage.delete(name)
        verb = "would move" if dry_run else "moved"
        self.stdout.write(f"{verb} {moved}, already private {already}, missing {missing}")
