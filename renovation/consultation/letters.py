"""Invitation letters (一户一码): one A4 page per household with its address, its new join code
and a QR code to the join page, as a print view and as a PDF.

Codes exist in clear only in the response that issues them, so printing is a POST that issues
(or replaces) the codes and answers with the letters at once.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.views import posted_data
from renovation.places.selectors import neighbourhoods_manageable_by
from renovation.printing import draw_qr, pdf_font, qr_svg

from .join_services import IssuedCode, join_codes_issue
from .models import Household


class LetterForm(forms.Form):
    neighbourhood = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Neighbourhood"))
    scope = forms.ChoiceField(
        label=gettext_lazy("Which households"),
        choices=[
            ("new", gettext_lazy("Only households without a valid code and with room for another account")),
            ("all", gettext_lazy("Every household (replaces all earlier codes)")),
        ],
        initial="new",
        widget=forms.RadioSelect,
    )
    building = forms.CharField(label=gettext_lazy("Building (optional)"), max_length=16, required=False)
    unit = forms.CharField(label=gettext_lazy("Unit (optional)"), max_length=16, required=False)
    room = forms.CharField(label=gettext_lazy("Room (optional)"), max_length=16, required=False)
    output = forms.ChoiceField(
        label=gettext_lazy("Output"),
        choices=[("html", gettext_lazy("Print view")), ("pdf", gettext_lazy("PDF"))],
        initial="html",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = neighbourhoods_manageable_by(user).select_related("community")


def join_url(code: str | None = None) -> str:
    url = f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{reverse('accounts:join')}"
    return f"{url}?{urlencode({'code': code})}" if code else url


def letters(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Only street and bureau staff may print invitation letters."))
    form = LetterForm(posted_data(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        households = Household.objects.all()
        for field in ("building", "unit", "room"):
            if data[field].strip():
                households = households.filter(**{field: data[field].strip()})
        try:
            issued = join_codes_issue(
                actor=request.user,
                neighbourhood=data["neighbourhood"],
                households=households,
                only_new=data["scope"] == "new",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if data["output"] == "pdf":
                response = HttpResponse(letters_pdf(issued), content_type="application/pdf")
                response["Content-Disposition"] = 'attachment; filename="join-letters.pdf"'
            else:
                response = TemplateResponse(request, "consultation/letters_print.html", _letter_context(issued))
            # The codes are on this page and nowhere else: nobody's cache may keep it.
            response["Cache-Control"] = "no-store"
            return response
    return TemplateResponse(
        request, "consultation/admin/letters_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _letter_context(issued: Sequence[IssuedCode]) -> dict[str, object]:
    return {
        "letters": [
            {
                "household": item.household,
                "neighbourhood": item.household.neighbourhood,
                "code": item.code,
                "expires_on": timezone.localtime(item.expires_at).date(),
                "qr_svg": qr_svg(join_url(item.code)),
            }
            for item in issued
        ],
        "join_url": join_url(),
        "max_accounts": settings.HOUSEHOLD_MAX_ACCOUNTS,
    }


def letters_pdf(issued: Sequence[IssuedCode]) -> bytes:
    """The same letters as an A4 PDF; Chinese in reportlab's built-in CID font (no font files)."""
    font = pdf_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Invitation letters"))
    height = A4[1]
    left = 25 * mm
    for item in issued:
        household = item.household
        y = height - 30 * mm
        pdf.setFont(font, 20)
        pdf.drawString(left, y, _("Invitation to take part online"))
        y -= 12 * mm
        pdf.setFont(font, 14)
        pdf.drawString(left, y, f"{household.neighbourhood.name} {household.address}")
        y -= 14 * mm
        pdf.setFont(font, 12)
        for line in _letter_lines(item):
            pdf.drawString(left, y, line)
            y -= 8 * mm
        y -= 6 * mm
        pdf.setFont(font, 26)
        pdf.drawString(left, y, item.code)
        draw_qr(pdf, join_url(item.code), left, y - 70 * mm, 60 * mm)
        pdf.setFont(font, 10)
        pdf.drawString(left, 20 * mm, _("Keep this letter safe: the code lets an account speak for your household."))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _letter_lines(item: IssuedCode) -> list[str]:
    expires_on = timezone.localtime(item.expires_at).date()
    return [
        _("1. Scan the QR code with your phone, or open %(url)s") % {"url": join_url()},
        _("2. Enter the household code below and your mobile number; you receive a 6-digit SMS code."),
        _("3. Enter the SMS code and choose a password: your account speaks for this household."),
        _("The code works once, until %(date)s. Up to %(count)s accounts per household.")
        % {"date": expires_on.isoformat(), "count": settings.HOUSEHOLD_MAX_ACCOUNTS},
    ]
