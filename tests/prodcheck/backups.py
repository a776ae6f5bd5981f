"""Backups that restore: deploy/backup.sh, then deploy/restore.sh into a new database and a new
media folder (or bucket); every table's row count and every frozen quarterly disclosure must come
back exactly, and every uploaded file byte for byte."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import psycopg

from tests.prodcheck.deployfiles import DEPLOY
from tests.prodcheck.report import CheckFailed, expect
from tests.prodcheck.stack import Stack, install_package

KEEP = 2


def _run(script: str, args: list[str], env: dict[str, str]) -> str:
    # Only what the services' environment holds (as under systemd), not this shell's AWS_* or CA settings.
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    result = subprocess.run(
        ["sh", str(DEPLOY / script), *args], env={**clean, **env}, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise CheckFailed(f"deploy/{script} exited {result.returncode}:\n{result.stderr[-2000:]}")
    return result.stdout.strip()


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def disclosures(url: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT * FROM finance_quarterlydisclosure ORDER BY id").fetchall()


def file_digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def backup_and_restore(stack: Stack) -> list[str]:
    # The job worker's clock writes every few seconds (heartbeats, job rows): hold it still while
    # the source is counted, dumped and counted again, so "unchanged" can be checked exactly.
    workers = [p.popen for p in stack.processes if p.name == "worker" and p.popen.poll() is None]
    for popen in workers:
        os.killpg(popen.pid, signal.SIGSTOP)
    try:
        return _backup_and_restore(stack)
    finally:
        for popen in workers:
            os.killpg(popen.pid, signal.SIGCONT)


def _backup_and_restore(stack: Stack) -> list[str]:
    dest = stack.tmp / "backups"
    # Older backups, so that retention has something to remove: only the newest KEEP may stay.
    for old in ("20000101-000000", "20000102-000000"):
        (dest / f"db-{old}.dump").write_bytes(b"old")
        (dest / f"media-{old}.tar.gz").write_bytes(b"old")
        if not stack.object_store:  # private files have a folder of their own on disk only
            (dest / f"private-{old}.tar.gz").write_bytes(b"old")
    source_env = {"DATABASE_URL": stack.database_url(), "BACKUP_KEEP": str(KEEP)}
    if stack.object_store:
        if shutil.which("rclone") is None:
            install_package("rclone")
        source_env.update(stack.object_store.app_env())
    else:
        source_env["MEDIA_ROOT"] = str(stack.media)
        source_env["PRIVATE_MEDIA_ROOT"] = str(stack.private)
    counts_before = table_counts(stack.database_url())
    stamp = _run("backup.sh", [str(dest)], source_env)
    left = sorted(p.name for p in dest.iterdir())
    expected_left = sorted(
        [f"db-{stamp}.dump", "db-20000102-000000.dump"]
        + ([f"media-{stamp}", "media-20000102-000000.tar.gz"]
           if stack.object_store else
           [f"media-{stamp}.tar.gz", "media-20000102-000000.tar.gz",
            f"private-{stamp}.tar.gz", "private-20000102-000000.tar.gz"])
    )  # fmt: skip
    expect(left == expected_left, f"retention BACKUP_KEEP={KEEP} left {left}, expected {expected_left}")
    dump = dest / f"db-{stamp}.dump"
    expect(dump.read_bytes()[:5] == b"PGDMP", f"{dump.name} is not a pg_dump custom-format archive")
    lines = [f"backup.sh -> {dump.name} ({dump.stat().st_size // 1024} KB, custom format) and media; "
             f"BACKUP_KEEP={KEEP} removed the oldest"]  # fmt: skip

    restored_db = f"{stack.database}_restored"
    stack.create_database(restored_db)
    target_env = {"DATABASE_URL": stack.database_url(restored_db)}
    restored_media = stack.tmp / "media-restored"
    restored_private = stack.tmp / "private-restored"
    if stack.object_store:
        bucket = f"{stack.object_store.bucket}-restored"
        stack.object_store.create_bucket(bucket)
        target_env.update(stack.object_store.app_env(bucket))
    else:
        target_env["MEDIA_ROOT"] = str(restored_media)
        target_env["PRIVATE_MEDIA_ROOT"] = str(restored_private)
    _run("restore.sh", [str(dest), stamp], target_env)

    counts_after = table_counts(stack.database_url(restored_db))
    expect(counts_before == table_counts(stack.database_url()), "the source database changed during the backup")
    differ = {t: (counts_before.get(t), counts_after.get(t)) for t in counts_before.keys() | counts_after.keys()
              if counts_before.get(t) != counts_after.get(t)}  # fmt: skip
    expect(not differ, f"row counts differ after restore (source, restored): {differ}")
    lines.append(f"restored into database {restored_db}: {len(counts_after)} tables, "
                 f"{sum(counts_after.values())} rows, every count equal")  # fmt: skip
    frozen = disclosures(stack.database_url())
    expect(frozen, "the source has no quarterly disclosure: nothing frozen to compare")
    expect(frozen == disclosures(stack.database_url(restored_db)), "a frozen quarterly disclosure differs")
    lines.append(f"all {len(frozen)} frozen quarterly disclosures identical, column for column")
    if stack.object_store:
        source_keys = stack.object_store.keys(stack.object_store.bucket)
        restored_keys = stack.object_store.keys(target_env["AWS_STORAGE_BUCKET_NAME"])
        expect(source_keys and source_keys == restored_keys, "the restored bucket differs from the source bucket")
        lines.append(f"bucket restored: {len(source_keys)} objects, same keys and ETags")
    else:
        source_files = file_digests(stack.media)
        expect(source_files == file_digests(restored_media), "restored media files differ from the source")
        private_files = file_digests(stack.private)
        expect(private_files, "no private file to back up (the photo step should have made some)")
        expect(private_files == file_digests(restored_private), "restored private files differ from the source")
        lines.append(
            f"media restored: {len(source_files)} public and {len(private_files)} private files, identical SHA-256"
        )
    return lines
