"""`make prod-check`: bring up what deploy/ describes on this machine and check it end to end.

Run with `.venv/bin/python -m tests.prodcheck` (see README.md in this folder).
"""
