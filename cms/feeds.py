"""The notices (通知公告) as an Atom feed, at /notices/feed/ (``?street=<code>`` for one street)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .notices import NoticePage
from .search import text_param
from .visibility import unrestricted

FEED_LENGTH = 50


class NoticeFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        self.request = request
        return text_param(request, "street", 40)

    def title(self, street: str) -> str:
        return _("Notices and announcements")

    def link(self, street: str) -> str:
        return f"/notices/?street={street}" if street else "/notices/"

    def author_name(self) -> str:
        return settings.OCDS_PUBLISHER_NAME  # the publisher, never a person

    def feed_copyright(self) -> str:
        return settings.OPEN_DATA_LICENCE

    def items(self, street: str) -> list[NoticePage]:
        notices = unrestricted(NoticePage.objects.live()).order_by("-date", "-pk")
        if street:
            notices = notices.filter(street__code=street)
        return list(notices[:FEED_LENGTH])

    def item_title(self, item: NoticePage) -> str:
        return item.title

    def item_description(self, item: NoticePage) -> str:
        text = " ".join(strip_tags(str(block.value)) for block in item.body if block.block_type == "paragraph")
        return Truncator(text).chars(200)

    def item_link(self, item: NoticePage) -> str:
        return item.get_url(self.request)

    def item_pubdate(self, item: NoticePage) -> datetime:
        return timezone.make_aware(datetime.combine(item.date, time(9)))

    def item_updateddate(self, item: NoticePage) -> datetime:
        return item.last_published_at or self.item_pubdate(item)
