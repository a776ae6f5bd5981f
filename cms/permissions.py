"""Wagtail-side permissions of the staff roles: pages, images and documents are granted per page
tree and per collection, not per model, so the role groups get them here."""

from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from renovation.accounts.permissions import is_bureau, staff_street_id
from renovation.accounts.services import BUREAU_GROUP, STREET_GROUP, roles_sync

# Bureau staff edit and publish every public page (a project's story, the home page's intro);
# both roles may upload photos and documents for them. Street staff write notices (通知公告): the
# notice index grants them the pages, NoticePage narrows it to their street's notices.
_PAGE_PERMISSIONS = {BUREAU_GROUP: ("add_page", "change_page", "publish_page")}
_NOTICE_PAGE_PERMISSIONS = {STREET_GROUP: ("add_page", "change_page", "publish_page")}
_COLLECTION_PERMISSIONS = {
    BUREAU_GROUP: {
        "wagtailimages": ("add_image", "change_image", "choose_image"),
        "wagtaildocs": ("add_document", "change_document", "choose_document"),
    },
    STREET_GROUP: {
        "wagtailimages": ("add_image", "choose_image"),
        "wagtaildocs": ("add_document", "choose_document"),
    },
}


def may_write_notice_for(user: Any, street: Any) -> bool:
    """Bureau staff write notices for any street or the whole city (no street); street staff only
    for their own street; anyone else by Wagtail's permissions alone (administrators)."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser or is_bureau(user):
        return True
    own = staff_street_id(user)
    if own is None:
        return True  # not street staff: Wagtail's page permissions decide
    street_id = street if isinstance(street, int) or street is None else street.pk
    return street_id == own


def editor_permissions_sync() -> None:
    groups = roles_sync()
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    from .notices import NoticeIndexPage

    grants = [(root_page, _PAGE_PERMISSIONS)] if root_page is not None else []
    grants += [(page, _NOTICE_PAGE_PERMISSIONS) for page in NoticeIndexPage.objects.all()]
    with transaction.atomic():
        for page, by_group in grants:
            for group_name, codenames in by_group.items():
                for codename in codenames:
                    permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
                    GroupPagePermission.objects.get_or_create(
                        group=groups[group_name], page=page, permission=permission
                    )
        for group_name, apps in _COLLECTION_PERMISSIONS.items():
            if root_collection is None:
                break
            for app_label, codenames in apps.items():
                for codename in codenames:
                    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
                    GroupCollectionPermission.objects.get_or_create(
                        group=groups[group_name], collection=root_collection, permission=permission
                    )


def editor_permissions_sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    with_models = [config for config in django_apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1]:
        return
    editor_permissions_sync()
