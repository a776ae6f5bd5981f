"""The staff consultation desk in the admin: one page per project to record paper intents, set
the threshold, open decision items and enter paper ballots, move deliberations through their
stages, enter paper satisfaction forms and export the ratings. Every form calls one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.views import add_service_errors, posted_id
from renovation.projects.models import COMPLETED_STATUSES, Project, ProjectStatus
from renovation.spreadsheets.responses import spreadsheet_response

from . import selectors, services
from .deliberation_models import Deliberation, DeliberationStatus, Stage
from .deliberation_services import WORKS_STARTED, next_stage
from .export import write_satisfaction
from .forms import (
    DecisionItemForm,
    DeliberationStartForm,
    FileForm,
    StaffIntentForm,
    StaffRatingForm,
    StaffVoteForm,
    StageForm,
    ThresholdForm,
)
from .models import DecisionOption, Household
from .tally import intent_tallies, intent_tally, project_threshold


def _project(request: HttpRequest, project_id: int) -> Project:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("The consultation desk is for street and bureau staff."))
    project = get_object_or_404(Project.objects.select_related("neighbourhood__community__street"), pk=project_id)
    if not selectors.consultation_projects(request.user).filter(pk=project.pk).exists():
        raise PermissionDenied(_("You may only manage projects in your own street."))
    return project


def index(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("The consultation desk is for street and bureau staff."))
    # Consulting projects first: they are the ones with work to do on the desk.
    projects = sorted(
        selectors.consultation_projects(request.user), key=lambda project: project.status != ProjectStatus.CONSULTING
    )
    tallies = intent_tallies([project for project in projects if project.status == ProjectStatus.CONSULTING])
    rows = [(project, tallies.get(project.pk)) for project in projects]
    return TemplateResponse(request, "consultation/admin/index.html", {"rows": rows})


def _forms(project: Project, data: Any = None, files: Any = None, action: str | None = None) -> dict[str, Any]:
    households = Household.objects.filter(neighbourhood_id=project.neighbourhood_id).order_by(
        "building", "unit", "room"
    )
    categories = sorted(set(project.work_items.values_list("category", flat=True)))
    options = DecisionOption.objects.filter(item__project=project).select_related("item").order_by("item", "sort_order")

    def bind(name: str, factory: Callable[..., forms.Form], **kwargs: Any) -> forms.Form:
        bound = (data, files) if name == action else (None, None)
        return factory(*bound, prefix=name, **kwargs)

    return {
        "intent": bind("intent", StaffIntentForm, households=households),
        "threshold": bind("threshold", ThresholdForm, initial=_threshold_initial(project)),
        "decision": bind("decision", DecisionItemForm),
        "vote": bind("vote", StaffVoteForm, households=households, options=options),
        "deliberation": bind("deliberation", DeliberationStartForm),
        "stage": bind("stage", StageForm),
        "file": bind("file", FileForm),
        "rate": bind("rate", StaffRatingForm, households=households, categories=categories),
    }


def _threshold_initial(project: Project) -> dict[str, int]:
    threshold = project_threshold(project)
    return {"numerator": threshold.numerator, "denominator": threshold.denominator}


def desk(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id)
    action = request.POST.get("action") if request.method == "POST" else None
    forms_ = _forms(project, request.POST, request.FILES, action)
    if action:
        form = forms_.get(action)
        deliberation = None
        if request.POST.get("deliberation"):
            deliberation = get_object_or_404(Deliberation, pk=posted_id(request, "deliberation"), project=project)
        try:
            if action == "implementation" and deliberation is not None:
                services.deliberation_implementation_publish(actor=request.user, deliberation=deliberation)
                messages.success(request, _("The implementation has been made public."))
                return redirect(request.path)
            if form is not None and form.is_valid():
                _apply(request, project, action, form, deliberation)
                messages.success(request, _("Saved."))
                return redirect(request.path)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
            else:
                add_service_errors(form, error)
    deliberations = list(selectors.deliberations_with_stages(project))
    posted = request.POST.get("deliberation") if action in ("stage", "file") else None
    for deliberation in deliberations:
        # Each deliberation gets its own stage and filing forms, the next stage chosen already;
        # the one just posted keeps what was typed and its errors.
        current = {stage.stage for stage in deliberation.stages.all() if stage.round == deliberation.round}
        expected = next_stage(deliberation, current)
        deliberation.expected = Stage(expected).label if expected else None
        mine = posted == str(deliberation.pk)
        deliberation.stage_form = (
            forms_["stage"] if mine and action == "stage" else StageForm(prefix="stage", initial={"stage": expected})
        )
        deliberation.file_form = forms_["file"] if mine and action == "file" else FileForm(prefix="file")
    tally = intent_tally(project)
    context = {
        "project": project,
        "forms": forms_,
        "failed": action,
        "tally": tally,
        "consulting": project.status == ProjectStatus.CONSULTING,
        "completed": project.status in COMPLETED_STATUSES,
        "works_started": project.status in WORKS_STARTED,
        "decisions": selectors.decision_results(project),
        "deliberations": deliberations,
        "approved_status": DeliberationStatus.APPROVED,
        "satisfaction": selectors.satisfaction_summary(project, tally)
        if project.status in COMPLETED_STATUSES
        else None,
    }
    return TemplateResponse(request, "consultation/admin/desk.html", context, status=400 if action else 200)


def _apply(request: HttpRequest, project: Project, action: str, form: forms.Form, deliberation: Any) -> None:
    data, actor = form.cleaned_data, request.user
    if action == "intent":
        services.intent_record(
            actor=actor,
            project=project,
            household=data["household"],
            choice=data["choice"],
            channel=data["channel"],
            responded_on=data["day"],
        )
    elif action == "threshold":
        services.consultation_rule_set(
            actor=actor, project=project, numerator=data["numerator"], denominator=data["denominator"]
        )
    elif action == "decision":
        services.decision_item_create(
            actor=actor,
            project=project,
            question=data["question"],
            description=data["description"],
            options=form.option_list(),
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
        )
    elif action == "vote":
        option = data["option"]
        services.vote_cast(
            actor=actor,
            item=option.item,
            household=data["household"],
            option=option,
            channel=data["channel"],
            cast_on=data["day"],
        )
    elif action == "deliberation":
        services.deliberation_start(
            actor=actor, project=project, subject=data["subject"], description=data["description"]
        )
    elif action == "stage" and deliberation is not None:
        services.deliberation_stage_record(
            actor=actor,
            deliberation=deliberation,
            stage=data["stage"],
            held_on=data["held_on"],
            outcome=data["outcome"],
            minutes=data["minutes"],
            attachment=data["attachment"],
        )
    elif action == "file" and deliberation is not None:
        services.deliberation_file(
            actor=actor, deliberation=deliberation, filed_on=data["filed_on"], filed_with=data["filed_with"]
        )
    elif action == "rate":
        services.satisfaction_rate(
            actor=actor,
            project=project,
            household=data["household"],
            overall=data["overall"],
            scores=form.scores(),
            comment=data["comment"],
            channel=data["channel"],
            rated_on=data["day"],
        )
    else:
        raise ValidationError(_("Choose what to record."))


def satisfaction_export(request: HttpRequest, project_id: int | None = None) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied(_("Reports are for housing bureau and street office staff."))
    project = _project(request, project_id) if project_id else None
    rows = selectors.satisfaction_export_rows(request.user, project).iterator(chunk_size=2000)
    day = timezone.localdate()
    scope = project.name if project else _("all projects you may see")
    return spreadsheet_response(
        lambda target: write_satisfaction(target, rows, scope=scope),
        filename=f"{_('Satisfaction ratings')}-{day:%Y%m%d}.xlsx",
        fallback=f"satisfaction-{day:%Y%m%d}.xlsx",
    )
