"""The staff consultation desk in the admin: per project, one screen per task (overview with
counts and next actions; intents and the threshold; a stack of paper letters; decision items and
paper ballots; deliberations through their stages; paper satisfaction forms), under one
sub-navigation. Every form calls one service, which checks the street."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from renovation.accounts.permissions import is_staff_member
from renovation.backoffice.views import add_service_errors, posted_id
from renovation.projects.models import COMPLETED_STATUSES, Project, ProjectStatus
from renovation.spreadsheets.responses import spreadsheet_response

from . import selectors, services
from .deliberation_models import Deliberation, DeliberationStatus
from .deliberation_services import WORKS_STARTED
from .desk_forms import DATALIST_ID, LETTER_ROWS, HouseholdRegister, LetterBatchForm, letter_formset
from .desk_screens import deliberations_with_next_stage, intents_by_channel, next_actions, task_nav, task_url
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
from .models import ConsultationRule, DecisionOption
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


# The screen each posted form belongs to: a refused form is shown again on its own screen.
ACTION_TASK = {
    "intent": "intents",
    "threshold": "intents",
    "letters": "letters",
    "decision": "decisions",
    "vote": "decisions",
    "deliberation": "deliberations",
    "stage": "deliberations",
    "file": "deliberations",
    "implementation": "deliberations",
    "rate": "satisfaction",
}
TASK_FORMS = {
    "intents": ("intent", "threshold"),
    "decisions": ("decision", "vote"),
    "deliberations": ("deliberation", "stage", "file"),
    "satisfaction": ("rate",),
}


def _forms(
    project: Project, task: str, register: HouseholdRegister | None, data: Any, files: Any, action: str | None
) -> dict[str, Any]:
    """The forms of one screen only: each reads what it needs (the register once for all)."""

    def bind(name: str, factory: Callable[..., forms.Form], **kwargs: Any) -> forms.Form:
        bound = (data, files) if name == action else (None, None)
        return factory(*bound, prefix=name, **kwargs)

    factories: dict[str, Callable[[], forms.Form]] = {
        "intent": lambda: bind("intent", StaffIntentForm, register=register),
        "threshold": lambda: bind("threshold", ThresholdForm, initial=_threshold_initial(project)),
        "decision": lambda: bind("decision", DecisionItemForm),
        "vote": lambda: bind("vote", StaffVoteForm, register=register, options=_ballot_options(project)),
        "deliberation": lambda: bind("deliberation", DeliberationStartForm),
        "stage": lambda: bind("stage", StageForm),
        "file": lambda: bind("file", FileForm),
        "rate": lambda: bind("rate", StaffRatingForm, register=register, categories=_categories(project)),
    }
    return {name: factories[name]() for name in TASK_FORMS.get(task, ())}


def _ballot_options(project: Project) -> Any:
    return DecisionOption.objects.filter(item__project=project).select_related("item").order_by("item", "sort_order")


def _categories(project: Project) -> list[str]:
    return sorted(set(project.work_items.values_list("category", flat=True)))


def _threshold_initial(project: Project) -> dict[str, Any]:
    threshold = project_threshold(project)
    rule = ConsultationRule.objects.filter(project=project).first()
    return {
        "numerator": threshold.numerator,
        "denominator": threshold.denominator,
        "intent_closes_on": rule.intent_closes_on if rule else None,
    }


def desk(request: HttpRequest, project_id: int, task: str = "overview") -> HttpResponse:
    """One screen of the desk per task; a form posted to any of them is handled (and, if refused,
    shown again) on the screen it belongs to."""
    project = _project(request, project_id)
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None:
        if action not in ACTION_TASK:
            raise Http404
        task = ACTION_TASK[action]
    needs_register = task in ("intents", "letters", "decisions", "satisfaction")
    register = HouseholdRegister.of(project) if needs_register else None
    forms_ = _forms(project, task, register, request.POST, request.FILES, action)
    context: dict[str, Any] = {"project": project, "forms": forms_, "failed": action, "task": task}
    if task == "letters":
        response = _letters(request, project, register, context)
        if response is not None:
            return response
    elif action:
        response = _post(request, project, action, forms_.get(action))
        if response is not None:
            return response
    context.update(_screen(request, project, task, action, forms_, register))
    template = f"consultation/admin/desk_{task}.html"
    return TemplateResponse(request, template, context, status=400 if action else 200)


def _post(request: HttpRequest, project: Project, action: str, form: forms.Form | None) -> HttpResponse | None:
    deliberation = None
    if request.POST.get("deliberation"):
        deliberation = get_object_or_404(Deliberation, pk=posted_id(request, "deliberation"), project=project)
    try:
        if action == "implementation" and deliberation is not None:
            services.deliberation_implementation_publish(actor=request.user, deliberation=deliberation)
            messages.success(request, _("The implementation has been made public."))
            return redirect(task_url("deliberations", project))
        if form is not None and form.is_valid():
            _apply(request, project, action, form, deliberation)
            messages.success(request, _("Saved."))
            return redirect(task_url(ACTION_TASK[action], project))
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
        else:
            add_service_errors(form, error)
    return None


def _letters(
    request: HttpRequest, project: Project, register: HouseholdRegister, context: dict[str, Any]
) -> HttpResponse | None:
    """A stack of paper letters in rows, saved all together or not at all."""
    posted = request.method == "POST"
    rows = _int(request.GET.get("rows"), LETTER_ROWS)
    batch = LetterBatchForm(request.POST if posted else None, prefix="batch")
    formset = letter_formset(request.POST if posted else None, register=register, rows=rows)
    errors: list[str] = []
    if posted:
        if batch.is_valid() and formset.is_valid():
            try:
                count = services.intent_letters_record(
                    actor=request.user, project=project, letters=formset.letters(batch.cleaned_data["received_on"])
                )
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(
                    request,
                    ngettext("%(count)s letter saved.", "%(count)s letters saved.", count) % {"count": count},
                )
                return redirect(task_url("letters", project))
        else:
            errors = [*batch.errors.get("received_on", []), *formset.non_form_errors(), *formset.row_errors()]
            errors = errors or [_("Check the rows marked below.")]
    context.update({"batch": batch, "formset": formset, "letter_errors": errors, "more_rows": min(rows + 20, 200)})
    return None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _screen(
    request: HttpRequest,
    project: Project,
    task: str,
    action: str | None,
    forms_: dict[str, Any],
    register: HouseholdRegister | None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "nav": task_nav(project, task),
        "consulting": project.status == ProjectStatus.CONSULTING,
        "completed": project.status in COMPLETED_STATUSES,
        "works_started": project.status in WORKS_STARTED,
        "register": register,
        "datalist_id": DATALIST_ID,
    }
    if task in ("overview", "intents", "letters", "satisfaction"):
        context["tally"] = intent_tally(project)
    if task in ("overview", "decisions"):
        context["decisions"] = selectors.decision_results(project)
    if task in ("overview", "deliberations"):
        context["deliberations"] = deliberations_with_next_stage(project)
    if task == "overview":
        context["by_channel"] = intents_by_channel(project)
        context["actions"] = next_actions(project, context["tally"], context["decisions"], context["deliberations"])
    elif task == "deliberations":
        _deliberation_forms(request, action, forms_, context["deliberations"])
        context["approved_status"] = DeliberationStatus.APPROVED
    elif task == "satisfaction" and context["completed"]:
        context["satisfaction"] = selectors.satisfaction_summary(project, context["tally"])
    return context


def _deliberation_forms(
    request: HttpRequest, action: str | None, forms_: dict[str, Any], deliberations: list[Deliberation]
) -> None:
    """Each deliberation gets its own stage and filing forms, the next stage chosen already; the
    one just posted keeps what was typed and its errors."""
    posted = request.POST.get("deliberation") if action in ("stage", "file") else None
    for deliberation in deliberations:
        mine = posted == str(deliberation.pk)
        deliberation.stage_form = (
            forms_["stage"]
            if mine and action == "stage"
            else StageForm(prefix="stage", initial={"stage": deliberation.expected_code})
        )
        deliberation.file_form = forms_["file"] if mine and action == "file" else FileForm(prefix="file")


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
            actor=actor,
            project=project,
            numerator=data["numerator"],
            denominator=data["denominator"],
            intent_closes_on=data["intent_closes_on"],
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
