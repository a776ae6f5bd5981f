"""Demo consultation: every project gets its household register; projects reach approval only
after enough households agreed (the real gate), the consulting one is mid-way, some decisions went
through 三审两公开一备案 and to a vote, and finished projects have satisfaction ratings. Written
through the services, like the rest of the demo. Names and phones are invented."""

from __future__ import annotations

import io
import random
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from renovation.consultation import services
from renovation.consultation.deliberation_models import STAGE_ORDER
from renovation.consultation.models import Channel, DecisionItem, Deliberation, Household, Intent, IntentChoice
from renovation.printing import pdf_font
from renovation.projects.models import Project

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
GIVEN = "建国秀英志强丽华明海玉兰伟芳国平春梅德胜"
COMMENTS = [
    "外墙翻新后漏水问题解决了，很满意。",
    "楼道灯和扶手装好了，老人上下楼方便多了。",
    "停车位还是紧张，希望后续继续改善。",
    "施工期间噪音有点大，但整体效果不错。",
    "雨污分流后下雨天不再积水，感谢街道和施工队。",
    "绿化做得好，小区像新的一样。",
]


def _register(actor: Any, project: Project, rng: random.Random) -> list[Household]:
    neighbourhood = project.neighbourhood
    if not Household.objects.filter(neighbourhood=neighbourhood).exists():
        rows, count = [], neighbourhood.household_count
        buildings = max(neighbourhood.building_count, 1)
        for index in range(count):
            per_building = -(-count // buildings)
            building, rest = divmod(index, per_building)
            unit, room = divmod(rest, 12)
            floor, door = divmod(room, 2)
            rows.append(
                {
                    "neighbourhood": neighbourhood,
                    "building": str(building + 1),
                    "unit": str(unit + 1),
                    "room": f"{floor + 1}0{door + 1}",
                    "floor_area": Decimal(rng.randint(55, 110)),
                    "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "phone": f"13{rng.randint(5, 9)}{rng.randint(10_000_000, 99_999_999)}",
                }
            )
        services.household_rows_apply(actor=actor, rows=rows)
    return list(Household.objects.filter(neighbourhood=neighbourhood).order_by("pk"))


def _intents(
    actor: Any, project: Project, households: list[Household], share: float, day: date, rng: random.Random
) -> None:
    """A stack of paper letters entered on the desk (the batch screen's service). The estate's first
    household always answered on paper: the demo resident's page shows a paper answer on record."""
    answered = set(Intent.objects.filter(project=project).values_list("household_id", flat=True))
    letters = []
    for index, household in enumerate(households):
        if household.pk in answered:
            continue
        if index == 0 or rng.random() < share:
            choice = IntentChoice.AGREE
        elif rng.random() < 0.5:
            choice = rng.choice([IntentChoice.DISAGREE, IntentChoice.ABSTAIN])
        else:
            continue
        letters.append(services.PaperLetter(row=len(letters) + 1, household=household, choice=choice, received_on=day))
    if letters:
        services.intent_letters_record(actor=actor, project=project, letters=letters)


def deadline_set(*, actor: Any, project: Project, day: date) -> None:
    """The date residents are asked to answer by, shown above their question."""
    services.consultation_rule_set(actor=actor, project=project, numerator=2, denominator=3, intent_closes_on=day)


def register(*, actor: Any, project: Project, rng: random.Random) -> list[Household]:
    """The household register, entered when the consultation starts."""
    return _register(actor, project, rng)


def intents(*, actor: Any, project: Project, share: float, rng: random.Random) -> None:
    """Paper intents collected today (on the demo clock)."""
    households = list(Household.objects.filter(neighbourhood=project.neighbourhood).order_by("pk"))
    _intents(actor, project, households, share, timezone.localdate(), rng)


def decision_open(*, actor: Any, project: Project, opens: date, closes: date) -> DecisionItem | None:
    """A question put to the households (the management after the works)."""
    if DecisionItem.objects.filter(project=project).exists():
        return None
    return services.decision_item_create(
        actor=actor,
        project=project,
        question="改造后小区采用哪种管理方式？",
        description="改造完成后由谁负责日常管理，物业费标准在业主大会上另行讨论。",
        options=["引入专业物业服务企业", "业主自治管理", "社区托管"],
        opens_on=opens,
        closes_on=closes,
    )


def votes(*, actor: Any, item: DecisionItem, count: int, rng: random.Random) -> None:
    """Paper ballots cast today by the first ``count`` households."""
    options = list(item.options.all())
    households = Household.objects.filter(neighbourhood=item.project.neighbourhood).order_by("pk")[:count]
    for household in households:
        option = options[0] if rng.random() < 0.6 else rng.choice(options)
        services.vote_cast(
            actor=actor,
            item=item,
            household=household,
            option=option,
            channel=Channel.PAPER,
            cast_on=timezone.localdate(),
        )


def deliberation_open(*, actor: Any, project: Project) -> Deliberation:
    """三审两公开: the plan and the residents' share, made public today."""
    return services.deliberation_start(
        actor=actor,
        project=project,
        subject="改造方案及居民出资分摊",
        description="改造内容清单、居民出资比例（按建筑面积分摊）及施工期间安排。",
    )


def deliberation_stage(*, actor: Any, deliberation: Deliberation, index: int) -> None:
    """Stage ``index`` of the deliberation, held today, the first with its minutes as a PDF (the
    document residents find above their question)."""
    deliberation.refresh_from_db()
    services.deliberation_stage_record(
        actor=actor,
        deliberation=deliberation,
        stage=STAGE_ORDER[index],
        held_on=timezone.localdate(),
        outcome="approved",
        minutes="到会代表一致同意改造方案及出资分摊办法。",
        attachment=_minutes_pdf(deliberation) if index == 0 else None,
    )


def _minutes_pdf(deliberation: Deliberation) -> ContentFile:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setFont(pdf_font(), 16)
    pdf.drawString(72, 770, f"{deliberation.subject} · 业委会审议纪要")
    pdf.setFont(pdf_font(), 12)
    pdf.drawString(72, 740, "到会代表一致同意改造方案及出资分摊办法。")
    pdf.showPage()
    pdf.save()
    return ContentFile(buffer.getvalue(), name="minutes.pdf")


def deliberation_filed(*, actor: Any, deliberation: Deliberation) -> None:
    deliberation.refresh_from_db()
    services.deliberation_file(actor=actor, deliberation=deliberation, filed_on=timezone.localdate())


def implementation_published(*, actor: Any, project: Project) -> None:
    """The works started: the approved plan's implementation is made public the same day."""
    deliberation = Deliberation.objects.filter(project=project).first()
    if deliberation is not None:
        services.deliberation_implementation_publish(actor=actor, deliberation=deliberation)


def ratings(*, actor: Any, project: Project, rng: random.Random) -> None:
    """Satisfaction collected on paper today, after the acceptance."""
    _ratings(actor, project, rng, timezone.localdate())


def _ratings(actor: Any, project: Project, rng: random.Random, day: date) -> None:
    categories = sorted(set(project.work_items.values_list("category", flat=True)))
    households = Household.objects.filter(neighbourhood=project.neighbourhood).exclude(
        satisfaction_ratings__project=project
    )
    for household in households.order_by("pk")[: rng.randint(12, 24)]:
        overall = rng.choice([5, 5, 4, 4, 4, 3, 2])
        services.satisfaction_rate(
            actor=actor,
            project=project,
            household=household,
            overall=overall,
            scores={code: max(1, min(5, overall + rng.choice([-1, 0, 0, 1]))) for code in categories},
            comment=rng.choice(COMMENTS) if rng.random() < 0.4 else "",
            channel=Channel.PAPER,
            rated_on=day,
        )
