from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionConfig(AppConfig):
    name = "renovation.discussion"
    label = "discussion"
    verbose_name = _("Discussion")

    def ready(self) -> None:
        from renovation.accounts.signals import display_name_changed

        from .services import comment_author_renamed

        # A comment shows its author's name: a new name makes the pages showing it stale.
        display_name_changed.connect(comment_author_renamed, dispatch_uid="discussion.comment_author_renamed")
