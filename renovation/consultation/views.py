"""The resident's mobile page: one page per project for the households staff linked to the
account, with the few things a household can do there (intent, votes, rating)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from renovation.backoffice.views import posted_id
from renovation.projects.models import COMPLETED_STATUSES, Project, ProjectStatus

from . import selectors, services
from .brief import household_brief
from .forms import IntentForm, RatingForm, VoteForm
from .models import Channel, DecisionItem, DecisionOption, Intent, SatisfactionRating, Vote
from .permissions import resident_households
from .tally import intent_tally


def _open_items(project: Project) -> list[DecisionItem]:
    items = DecisionItem.objects.filter(project=project).prefetch_related("options").order_by("opens_on", "pk")
    return [item for item in items if item.is_open()]


def _household_panels(request: HttpRequest, project: Project, bound: dict[str, Any]) -> list[dict[str, Any]]:
    households = resident_households(request.user, project)
    ids = [household.pk for household in households]
    intents = {intent.household_id: intent for intent in Intent.objects.filter(project=project, household_id__in=ids)}
    items = _open_items(project)
    voted = set(Vote.objects.filter(item__in=items, household_id__in=ids).values_list("item_id", "household_id"))
    rated = set(
        SatisfactionRating.objects.filter(project=project, household_id__in=ids).values_list("household_id", flat=True)
    )
    categories = sorted(set(project.work_items.values_list("category", flat=True)))
    panels = []
    for household in households:
        key = household.pk
        intent = intents.get(key)
        panels.append(
            {
                "household": household,
                "intent": intent,
                # A paper letter or an on-site answer: replacing it online must be confirmed.
                "paper_intent": intent if intent and intent.channel != Channel.ONLINE else None,
                "intent_form": bound.get(("intent", key))
                or IntentForm(initial={"choice": intent.choice if intent else None}, prefix=f"i{key}"),
                "votes": [
                    {
                        "item": item,
                        "form": bound.get(("vote", key, item.pk)) or VoteForm(item=item, prefix=f"v{key}-{item.pk}"),
                    }
                    for item in items
                    if (item.pk, key) not in voted
                ],
                "rated": key in rated,
                "rating_form": bound.get(("rate", key)) or RatingForm(categories=categories, prefix=f"r{key}"),
            }
        )
    return panels


@login_required
def household(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("neighbourhood"), pk=project_id)
    bound: dict[Any, Any] = {}
    if request.method == "POST":
        response = _act(request, project, bound)
        if response is not None:
            return response
    panels = _household_panels(request, project, bound)
    context = {
        "project": project,
        "panels": panels,
        # What the household decides on, read before the question (only for those who may answer).
        "brief": household_brief(project, intent_tally(project)) if panels else None,
        "collecting": project.status == ProjectStatus.CONSULTING,
        "rating_open": project.status in COMPLETED_STATUSES,
        "errors": bound.get("errors", []),
    }
    return render(request, "consultation/household.html", context, status=400 if bound else 200)


def _act(request: HttpRequest, project: Project, bound: dict[Any, Any]) -> HttpResponse | None:
    """Handle one posted form; on success redirect (so a reload does not post again)."""
    households = {household.pk: household for household in resident_households(request.user, project)}
    try:
        household = households[int(request.POST.get("household", ""))]
    except (KeyError, ValueError):
        raise Http404 from None  # not one of this account's households
    action, key = request.POST.get("action"), household.pk
    try:
        if action == "intent":
            form = IntentForm(request.POST, prefix=f"i{key}")
            bound[("intent", key)] = form
            if form.is_valid():
                services.intent_record(
                    actor=request.user,
                    project=project,
                    household=household,
                    choice=form.cleaned_data["choice"],
                    replace_paper=form.cleaned_data["replace_paper"],
                )
                messages.success(request, _("Thank you: your household's intent is recorded."))
                return redirect(request.path)
        elif action == "vote":
            item = get_object_or_404(
                DecisionItem.objects.prefetch_related("options"), pk=posted_id(request, "item"), project=project
            )
            form = VoteForm(request.POST, item=item, prefix=f"v{key}-{item.pk}")
            bound[("vote", key, item.pk)] = form
            if form.is_valid():
                option = DecisionOption.objects.get(pk=form.cleaned_data["option"])
                services.vote_cast(actor=request.user, item=item, household=household, option=option)
                messages.success(request, _("Thank you: your vote is counted."))
                return redirect(request.path)
        elif action == "rate":
            categories = sorted(set(project.work_items.values_list("category", flat=True)))
            form = RatingForm(request.POST, categories=categories, prefix=f"r{key}")
            bound[("rate", key)] = form
            if form.is_valid():
                services.satisfaction_rate(
                    actor=request.user,
                    project=project,
                    household=household,
                    overall=form.cleaned_data["overall"],
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, _("Thank you for rating the renovation."))
                return redirect(request.path)
        else:
            raise Http404
    except ValidationError as error:
        # Shown at the top of the page: the form it came from may no longer be on it (a ballot
        # already cast, a rating window not open).
        bound["errors"] = error.messages
    return None


@login_required
def my_households(request: HttpRequest) -> HttpResponse:
    """Where a resident starts: the projects of the neighbourhoods their households are in."""
    projects = selectors.resident_projects(request.user)
    return render(request, "consultation/my_households.html", {"projects": projects})
