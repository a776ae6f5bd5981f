"""The street tendering channel (业标街管): tenders, bidders, sealed bids, evaluation, objections,
awards, contracts and change orders, and the OCDS releases published for each tender.

A bid's amount, duration and proposal file are stored only encrypted (``seal.py``); nothing in
this module can read them. Only ``seal.unseal`` can, and only once the tender's opening time has
passed, so admin screens, history rows, exports and search see ciphertext before the opening. When
the clock records the opening, it writes each bid's content in the clear (``Bid.opened_content``),
as the opening record publishes it, so pages read it without decrypting.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from renovation.files.registry import file_url
from renovation.files.storage import private_storage
from renovation.public.models import StoredRendering

from .codes import validate_uscc

ZERO = Decimal("0")


class ProcurementCategory(models.TextChoices):
    WORKS = "works", _("Works")
    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")


class ProcurementKind(models.Model):
    """A kind of work or service; those marked ``must_tender`` always go through the channel."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    must_tender = models.BooleanField(
        _("must be publicly tendered"),
        default=False,
        help_text=_("Work items of this kind must be tendered through the street channel whatever their budget."),
    )
    # What is bought, in the Open Contracting Data Standard's words (tender.mainProcurementCategory).
    category = models.CharField(
        _("what is bought"), max_length=8, choices=ProcurementCategory.choices, default=ProcurementCategory.WORKS
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("procurement kind")
        verbose_name_plural = _("procurement kinds")

    def __str__(self) -> str:
        return self.name


class EvaluationMethod(models.TextChoices):
    LOWEST_PRICE = "lowest_price", _("Lowest compliant price")
    COMPREHENSIVE = "comprehensive", _("Comprehensive score")


class TenderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced")
    BIDDING = "bidding", _("Open for bids")
    OPENED = "opened", _("Bids opened")
    EVALUATED = "evaluated", _("Evaluated")
    PUBLICITY = "publicity", _("Winner candidate in publicity")
    AWARDED = "awarded", _("Awarded")
    FAILED = "failed", _("Failed (流标)")


# Statuses before the opening time; once it passes, the tender is open whatever is stored.
SEALED_STATUSES = (TenderStatus.ANNOUNCED, TenderStatus.BIDDING)


class Tender(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="tenders", verbose_name=_("project")
    )
    work_items = models.ManyToManyField("projects.WorkItem", related_name="tenders", verbose_name=_("works covered"))
    code = models.CharField(_("tender number"), max_length=48, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.ForeignKey(
        ProcurementKind, on_delete=models.PROTECT, related_name="tenders", verbose_name=_("procurement kind")
    )
    ceiling_price = models.DecimalField(
        _("ceiling price (控制价, yuan)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    method = models.CharField(
        _("evaluation method"), max_length=16, choices=EvaluationMethod.choices, default=EvaluationMethod.LOWEST_PRICE
    )
    price_weight = models.PositiveSmallIntegerField(
        _("price weight (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    technical_weight = models.PositiveSmallIntegerField(
        _("technical weight (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    announcement = models.TextField(_("announcement"))
    bid_period_start = models.DateTimeField(_("bids accepted from"))
    bid_period_end = models.DateTimeField(_("bids accepted until"))
    opening_at = models.DateTimeField(_("opening time"))
    publicity_days = models.PositiveSmallIntegerField(
        _("publicity days"), default=3, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    status = models.CharField(_("status"), max_length=16, choices=TenderStatus.choices, default=TenderStatus.DRAFT)
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opening recorded"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated"), null=True, blank=True)
    publicity_start = models.DateTimeField(_("publicity starts"), null=True, blank=True)
    publicity_end = models.DateTimeField(_("publicity ends"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    failure_reason = models.CharField(_("reason for failure"), max_length=300, blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reannouncements",
        verbose_name=_("re-announcement of"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    history = HistoricalRecords(m2m_fields=[work_items], excluded_fields=["created_at"])

    class Meta:
        ordering = ["-opening_at", "-pk"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        constraints = [
            models.CheckConstraint(
                condition=Q(bid_period_end__gt=F("bid_period_start")),
                name="tender_bid_period_order",
                violation_error_message=_("The bid period must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(opening_at__gte=F("bid_period_end")),
                name="tender_opening_after_bid_period",
                violation_error_message=_("Bids cannot be opened before the bid period ends."),
            ),
            models.CheckConstraint(
                condition=Q(ceiling_price__gt=0),
                name="tender_ceiling_positive",
                violation_error_message=_("The ceiling price must be more than zero."),
            ),
        ]
        indexes = [models.Index(fields=["status", "-opening_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.bid_period_start and self.bid_period_end and self.bid_period_end <= self.bid_period_start:
            errors["bid_period_end"] = _("The bid period must end after it starts.")
        if self.bid_period_end and self.opening_at and self.opening_at < self.bid_period_end:
            errors["opening_at"] = _("Bids cannot be opened before the bid period ends.")
        if self.method == EvaluationMethod.COMPREHENSIVE:
            if self.price_weight is None or self.technical_weight is None:
                errors["price_weight"] = _("The comprehensive score needs a price weight and a technical weight.")
            elif self.price_weight + self.technical_weight != 100:
                errors["technical_weight"] = _("The price and technical weights must add up to 100.")
        if errors:
            raise ValidationError(errors)

    @property
    def ocid(self) -> str:
        return f"{settings.OCDS_OCID_PREFIX}-{self.code}"

    def is_opened(self, now: datetime | None = None) -> bool:
        """The seal lifts at the opening time, by the clock: no job has to run for it."""
        if self.status == TenderStatus.DRAFT:
            return False
        return (now or timezone.now()) >= self.opening_at

    def accepts_bids(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status in SEALED_STATUSES and self.bid_period_start <= now < self.bid_period_end

    def phase(self, now: datetime | None = None) -> str:
        """The status as the clock has it: a stored status lags until a service or the
        ``tenders_advance`` command catches it up."""
        now = now or timezone.now()
        if self.status in SEALED_STATUSES:
            if now >= self.opening_at:
                return TenderStatus.OPENED
            return TenderStatus.BIDDING if now >= self.bid_period_start else TenderStatus.ANNOUNCED
        return self.status

    def phase_label(self, now: datetime | None = None) -> str:
        return TenderStatus(self.phase(now)).label

    def publicity_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == TenderStatus.PUBLICITY
            and self.publicity_start is not None
            and self.publicity_start <= now < self.publicity_end
        )

    def publicity_end_for(self, start: datetime) -> datetime:
        return start + timedelta(days=self.publicity_days)


class BidderReview(models.TextChoices):
    """Staff check a company's qualification documents before it may bid (资格审查)."""

    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved to bid")
    REJECTED = "rejected", _("Rejected")


class Bidder(models.Model):
    """A company that bids (投标单位), with the accounts that act for it."""

    name = models.CharField(_("company name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        error_messages={"unique": _("A company with this unified social credit code is already registered.")},
    )
    contact_name = models.CharField(_("contact person"), max_length=60)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    address = models.CharField(_("address"), max_length=200, blank=True)
    accounts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="bidders", verbose_name=_("accounts"))
    registered_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    review_status = models.CharField(
        _("qualification review"), max_length=16, choices=BidderReview.choices, default=BidderReview.PENDING
    )
    review_reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the company was rejected; shown to the company.")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[accounts], excluded_fields=["registered_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("bidder")
        verbose_name_plural = _("bidders")

    def __str__(self) -> str:
        return self.name

    @property
    def may_bid(self) -> bool:
        return self.review_status == BidderReview.APPROVED


# A private file (renovation/tendering/private_files.py), served at /files/bidder-document/<id>/.
BIDDER_DOCUMENT_FILE_KIND = "bidder-document"


def _document_path(instance: BidderDocument, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"bidders/{instance.bidder_id}/{uuid.uuid4().hex}.{suffix}"


class BidderDocument(models.Model):
    """A qualification document (资质证明): licence, certificates; read by the company and by staff
    (private storage, served through /files/bidder-document/<id>/)."""

    bidder = models.ForeignKey(Bidder, on_delete=models.CASCADE, related_name="documents", verbose_name=_("bidder"))
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), upload_to=_document_path, storage=private_storage)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    history = HistoricalRecords(excluded_fields=["uploaded_at"])

    class Meta:
        ordering = ["bidder", "pk"]
        verbose_name = _("qualification document")
        verbose_name_plural = _("qualification documents")

    def __str__(self) -> str:
        return self.title

    @property
    def download_url(self) -> str:
        return file_url(BIDDER_DOCUMENT_FILE_KIND, self.pk)

    @property
    def download_name(self) -> str:
        suffix = PurePath(self.file.name).suffix
        return f"{self.title}{suffix}"


def _sealed_path(instance: Bid, filename: str) -> str:
    # A random name: the stored file must not reveal the proposal's name before the opening.
    return f"bids/{uuid.uuid4().hex}.sealed"


class Bid(models.Model):
    """One bidder's bid on one tender; a new submission replaces the sealed content."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids", verbose_name=_("tender"))
    bidder = models.ForeignKey(Bidder, on_delete=models.PROTECT, related_name="bids", verbose_name=_("bidder"))
    # Fernet token of the canonical JSON (amount, duration, proposal name and digest, nonce).
    sealed_content = models.TextField(_("sealed content"), editable=False)
    sealed_file = models.FileField(
        _("sealed proposal"), upload_to=_sealed_path, storage=private_storage, editable=False
    )
    digest = models.CharField(_("SHA-256 digest"), max_length=64, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    # What was sealed, as the opening record publishes it (the canonical JSON whose SHA-256 is
    # ``digest``): written by the clock when it records the tender's opening (services.
    # tender_catch_up), never before the opening time; empty until then. Readers take it through
    # ``seal.opened``, which refuses before the opening time and unseals when it is empty or does
    # not match the digest. Derived from ``sealed_content``, so history does not keep it twice.
    opened_content = models.TextField(_("opened content"), blank=True, default="", editable=False)

    history = HistoricalRecords(excluded_fields=["opened_content"])

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "bidder"],
                name="bid_one_per_bidder",
                violation_error_message=_("This company has already bid on this tender."),
            )
        ]
        # The clock's catch-up looks for opened tenders' bids not yet recorded: few, whatever the table.
        indexes = [models.Index(fields=["tender"], condition=Q(opened_content=""), name="bid_opening_unrecorded")]

    def __str__(self) -> str:
        return f"{self.tender.code} · {self.bidder.name}"


class BidEvaluation(models.Model):
    """The evaluation committee's result for one bid, recorded by staff after the opening."""

    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="evaluation", verbose_name=_("bid"))
    compliant = models.BooleanField(_("compliant"), default=True)
    technical_score = models.DecimalField(
        _("technical score (0-100)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    price_score = models.DecimalField(_("price score"), max_digits=6, decimal_places=2, null=True, blank=True)
    total_score = models.DecimalField(_("total score"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    evaluated_at = models.DateTimeField(_("evaluated"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["rank", "pk"]
        verbose_name = _("bid evaluation")
        verbose_name_plural = _("bid evaluations")

    def __str__(self) -> str:
        return f"{self.bid} · {self.rank or '-'}"


class Objection(models.Model):
    """An objection (异议) lodged during the publicity period; staff answer it before the award."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="objections", verbose_name=_("tender"))
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("lodged by")
    )
    text = models.TextField(_("objection"))
    lodged_at = models.DateTimeField(_("lodged"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    upheld = models.BooleanField(_("upheld"), default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["lodged_at", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.tender.code} · {self.lodged_at:%Y-%m-%d}"


class Award(models.Model):
    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="award", verbose_name=_("tender"))
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="award", verbose_name=_("winning bid"))
    bidder = models.ForeignKey(Bidder, on_delete=models.PROTECT, related_name="awards", verbose_name=_("winner"))
    amount = models.DecimalField(_("award amount (yuan)"), max_digits=14, decimal_places=2)
    duration_days = models.PositiveIntegerField(_("duration (days)"))
    awarded_at = models.DateTimeField(_("awarded"), default=timezone.now)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.tender.code} → {self.bidder.name}"


class Contract(models.Model):
    """A signed contract for some of a project's works; payments are reconciled against it.

    Tendered works are contracted with the award's winner; works below the must-tender threshold
    may be contracted directly (直接发包), without a tender: then ``award`` is empty. Either way the
    contractor holding it is the construction unit (施工单位) of the works it covers."""

    award = models.OneToOneField(
        Award,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract",
        verbose_name=_("award"),
        help_text=_("Empty for works contracted directly, without a tender."),
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("project")
    )
    contractor = models.ForeignKey(
        Bidder, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("contractor")
    )
    number = models.CharField(_("contract number"), max_length=60)
    amount = models.DecimalField(
        _("contract amount (yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    signed_on = models.DateField(_("signed on"))
    start_on = models.DateField(_("works start"))
    end_on = models.DateField(_("works end"))
    work_items = models.ManyToManyField(
        "projects.WorkItem",
        blank=True,
        related_name="contracts",
        verbose_name=pgettext_lazy("contract", "works covered"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    history = HistoricalRecords(m2m_fields=[work_items])

    class Meta:
        ordering = ["-signed_on", "pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=F("start_on")),
                name="contract_end_after_start",
                violation_error_message=_("The works cannot end before they start."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="contract_amount_positive",
                violation_error_message=_("The contract amount must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.contractor.name}"

    @property
    def is_direct(self) -> bool:
        """Contracted without a tender (below the must-tender threshold)."""
        return self.award_id is None

    def clean(self) -> None:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("The works cannot end before they start.")})


class ChangeOrderStatus(models.TextChoices):
    # Contexts: the same English words name project stages and report reviews with other Chinese words.
    PROPOSED = "proposed", pgettext_lazy("change order", "Proposed")
    APPROVED = "approved", pgettext_lazy("change order", "Approved")
    REJECTED = "rejected", pgettext_lazy("change order", "Rejected")


class ChangeOrder(models.Model):
    """A contract change (变更): why, by how much, and who approved it."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="change_orders", verbose_name=_("contract")
    )
    sequence = models.PositiveSmallIntegerField(_("number"), editable=False)
    reason = models.TextField(_("reason"))
    amount_change = models.DecimalField(
        _("amount change (yuan)"), max_digits=14, decimal_places=2, help_text=_("Negative when the contract shrinks.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ChangeOrderStatus.choices, default=ChangeOrderStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    approval_reference = models.CharField(
        _("approval reference"), max_length=120, blank=True, help_text=_("e.g. the meeting minutes or document number")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "sequence"]
        verbose_name = _("change order")
        verbose_name_plural = _("change orders")
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="changeorder_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.sequence}"


class TenderRelease(models.Model):
    """One OCDS release, frozen as it was published: releases are never edited, only added."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="releases", verbose_name=_("tender"))
    release_id = models.CharField(_("release id"), max_length=120, unique=True)
    date = models.DateTimeField(_("date"))
    tags = models.JSONField(_("tags"))
    data = models.JSONField(_("release"))
    # The release as published, JSON text encoded once when it is recorded (ocds.release_text):
    # the OCDS endpoints stream it as it is, without decoding ``data`` and encoding it again.
    # Written with ``data`` in the same row; empty, or of an older ``text_format``, the endpoints
    # encode ``data`` live. Derived from ``data``, so history does not keep it twice.
    text = models.TextField(_("release as published (JSON)"), blank=True, default="", editable=False)
    text_format = models.PositiveSmallIntegerField(_("format of the stored text"), default=0, editable=False)
    # ``text``'s HMAC with the site's key (ocds.release_signature): a text that does not match it,
    # altered or copied by hand, is never sent; the endpoints encode ``data`` live instead.
    text_signature = models.CharField(_("signature of the stored text"), max_length=64, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["text", "text_format", "text_signature"])

    class Meta:
        # Publication order: a release is dated by its event, and a payment may be booked back-dated.
        ordering = ["tender", "pk"]
        verbose_name = _("OCDS release")
        verbose_name_plural = _("OCDS releases")

    def __str__(self) -> str:
        return self.release_id


class TenderPublicSummary(StoredRendering):
    """What an opened tender's public page shows of its opening (the opening record and the red
    flags, the evaluation, the award with its contract and change orders), kept per language as
    the HTML those sections render to, so the page inserts it instead of reading its street's bids
    and rendering them (renovation/tendering/tender_summary.py).

    Never a source of a figure: a tender step of its street bumps ``generation`` right after its
    commit, a job rebuilds it after the commit, and the page renders live while it is missing,
    stale, of another ``version`` or ``build``, past ``valid_until`` or not signed by this site.
    A derived rendering, so it keeps no history. Its fields are the home page summary's."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="+", verbose_name=_("tender"))
    language = models.CharField(_("language"), max_length=16)
    version = models.PositiveSmallIntegerField(_("version"))
    # The code and templates that rendered it (a deploy that changes them makes it stale).
    build = models.CharField(_("build"), max_length=64, blank=True)
    # The sections' HTML as JSON text, shown only when ``signature`` (an HMAC with the site's key) matches.
    content = models.TextField(_("content"), blank=True)
    signature = models.CharField(_("signature"), max_length=64, blank=True)
    # generation, built_generation, built_at, valid_until (StoredRendering): ``valid_until`` is the
    # next moment the clock changes it (another opening in the street, its own next step, midnight).

    class Meta:
        verbose_name = _("tender page summary")
        verbose_name_plural = _("tender page summaries")
        constraints = [models.UniqueConstraint(fields=["tender", "language"], name="tender_summary_one_per_language")]

    def __str__(self) -> str:
        return f"{self.tender_id} {self.language}"
