"""No file in the repository carries a merge's conflict markers (one reached the sign-in page)."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(rb"^(<{7} |>{7} |={7}$)", re.M)


def test_it_finds_no_conflict_markers_in_tracked_files():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    offenders = []
    for name in filter(None, listed.decode().split("\0")):
        path = ROOT / name
        if path.suffix in {".mo", ".png", ".jpg", ".pdf", ".xlsx", ".ico", ".zip", ".gz"} or not path.is_file():
            continue
        if MARKER.search(path.read_bytes()):
            offenders.append(name)
    assert offenders == []


def test_it_recognises_a_marker():
    assert MARKER.search(b"x\n<<<<<<< HEAD\ny\n=======\nz\n>>>>>>> other\n")
