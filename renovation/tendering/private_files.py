"""Qualification documents are private files: the company's own accounts and the street and
bureau staff who review companies read them; nobody else, whatever link they hold."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from renovation.accounts.permissions import is_staff_member
from renovation.files.registry import PrivateFileKind, register

from .models import BIDDER_DOCUMENT_FILE_KIND, BidderDocument
from .permissions import acts_for_bidder


def _documents() -> QuerySet[BidderDocument]:
    return BidderDocument.objects.select_related("bidder")


def may_read_bidder_document(user: Any, document: BidderDocument) -> bool:
    return is_staff_member(user) or acts_for_bidder(user, document.bidder)


def register_bidder_documents() -> None:
    register(
        PrivateFileKind(
            kind=BIDDER_DOCUMENT_FILE_KIND,
            queryset=_documents,
            field="file",
            may_read=may_read_bidder_document,
            download_name=lambda document: document.download_name,
        )
    )
