from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from renovation.backoffice.permissions import KeepRecordsPolicy
from renovation.backoffice.views import ScopedModelForm, ServiceModelViewSet

from . import selectors, services
from .models import Community, Neighbourhood, Street

for _model in (Street, Community, Neighbourhood):
    register_permission_policy(_model, KeepRecordsPolicy(_model))


class CommunityForm(ScopedModelForm):
    scoped_choices = {"street": selectors.streets_manageable_by}


class NeighbourhoodForm(ScopedModelForm):
    scoped_choices = {"community": selectors.communities_manageable_by}


class StreetViewSet(ServiceModelViewSet):
    model = Street
    icon = "site"
    edit_handler = ObjectList([FieldPanel(name) for name in services.STREET_FIELDS])
    list_display = ["name", "code", "sort_order"]
    search_fields = ["name", "code"]
    create_service = staticmethod(services.street_create)
    update_service = staticmethod(services.street_update)
    service_object_arg = "street"


class CommunityViewSet(ServiceModelViewSet):
    model = Community
    icon = "group"
    edit_handler = ObjectList([FieldPanel(name) for name in services.COMMUNITY_FIELDS], base_form_class=CommunityForm)
    list_display = ["name", "street"]
    list_filter = ["street"]
    search_fields = ["name"]
    create_service = staticmethod(services.community_create)
    update_service = staticmethod(services.community_update)
    service_object_arg = "community"
    scope = staticmethod(selectors.communities_manageable_by)


class NeighbourhoodViewSet(ServiceModelViewSet):
    model = Neighbourhood
    icon = "home"
    edit_handler = ObjectList(
        [FieldPanel(name) for name in services.NEIGHBOURHOOD_FIELDS], base_form_class=NeighbourhoodForm
    )
    list_display = ["name", "community", "built_year", "household_count", "management_type"]
    list_filter = ["community__street", "management_type"]
    search_fields = ["name", "address"]
    create_service = staticmethod(services.neighbourhood_create)
    update_service = staticmethod(services.neighbourhood_update)
    service_object_arg = "neighbourhood"
    scope = staticmethod(selectors.neighbourhoods_manageable_by)


class PlacesGroup(ModelViewSetGroup):
    menu_label = _("Places")
    menu_icon = "site"
    menu_order = 210
    items = (StreetViewSet, CommunityViewSet, NeighbourhoodViewSet)


@hooks.register("register_admin_viewset")
def register_places() -> ModelViewSetGroup:
    return PlacesGroup()
