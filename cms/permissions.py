"""Wagtail-side permissions of the staff roles: pages, images and documents are granted per page
tree and per collection, not per model, so the role groups get them here."""

from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from renovation.accounts.services import BUREAU_GROUP, STREET_GROUP, roles_sync

# Bureau staff edit and publish every public page (a project's story, the home page's intro);
# both roles may upload photos and documents for them.
_PAGE_PERMISSIONS = {BUREAU_GROUP: ("add_page", "change_page", "publish_page")}
_COLLECTION_PERMISSIONS = {
    BUREAU_GROUP: {
        "wagtailimages": ("add_image", "change_image", "choose_image"),
        "wagtaildocs": ("add_document", "change_document", "choose_document"),
    },
    STREET_GROUP: {"wagtailimages": ("add_image", "choose_image")},
}


def editor_permissions_sync() -> None:
    groups = roles_sync()
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    with transaction.atomic():
        for group_name, codenames in _PAGE_PERMISSIONS.items():
            if root_page is None:
                break
            for codename in codenames:
                permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
                GroupPagePermission.objects.get_or_create(
                    group=groups[group_name], page=root_page, permission=permission
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
