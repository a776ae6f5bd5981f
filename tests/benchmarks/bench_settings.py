"""Production settings plus one bare page, served by the same gunicorn (bench_public_pages.py)."""

from renovation.settings.production import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.bench_urls"
