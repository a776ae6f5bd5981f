"""What the accounts tell other apps about an account's public face.

A comment shows its author's name (``discussion.selectors.author_name``: full name, else first
name, else the account name), and pages keep what they show: the page cache and each project
page's stored thread. So every service that changes a name reports it here, inside its
transaction, and the apps that show names mark their pages out of date (discussion/apps.py).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# Sent with ``user=`` once an account's display name has changed and been saved.
display_name_changed = Signal()


def display_name(user: Any) -> tuple[str, str, str]:
    """What the shown name is made of: first and last name and the account name."""
    return (user.first_name or "", user.last_name or "", user.get_username() or "")


def display_name_report(user: Any, before: tuple[str, str, str]) -> None:
    """Send ``display_name_changed`` when ``user``'s name now differs from ``before``
    (``display_name(user)`` read before the change). Call it after saving, in the transaction."""
    if user.pk is not None and display_name(user) != before:
        display_name_changed.send(sender=type(user), user=user)
