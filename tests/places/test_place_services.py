import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renovation.places.models import Neighbourhood, Street
from renovation.places.services import community_create, neighbourhood_create, street_create


def _neighbourhood(community, **overrides):
    data = {
        "community": community,
        "name": "新小区",
        "built_year": 1990,
        "building_count": 3,
        "household_count": 90,
        "floor_area": 6000,
        "management_type": "community",
    }
    data.update(overrides)
    return data


def test_it_lets_only_the_bureau_create_streets(personas):
    street_create(actor=personas.bureau, data={"name": "锦湖街道", "code": "jinhu"})
    with pytest.raises(PermissionDenied, match="只有住建局工作人员可以新建或修改街道"):
        street_create(actor=personas.street_a, data={"name": "东山街道", "code": "dongshan"})
    assert not Street.objects.filter(code="dongshan").exists()


def test_it_lets_street_staff_add_neighbourhoods_in_their_own_street_only(personas):
    own = personas.street_a_place.community
    other = personas.street_b_place.community
    neighbourhood_create(actor=personas.street_a, data=_neighbourhood(own))
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的区域"):
        neighbourhood_create(actor=personas.street_a, data=_neighbourhood(other, name="别人的小区"))
    assert not Neighbourhood.objects.filter(name="别人的小区").exists()


def test_it_refuses_a_duplicate_neighbourhood_name_with_a_clear_message(personas):
    community = personas.street_a_place.community
    with pytest.raises(ValidationError) as error:
        neighbourhood_create(actor=personas.bureau, data=_neighbourhood(community, name=personas.street_a_place.name))
    assert "该社区已有同名小区" in str(error.value)


def test_it_refuses_a_negative_floor_area(personas):
    with pytest.raises(ValidationError) as error:
        neighbourhood_create(
            actor=personas.bureau, data=_neighbourhood(personas.street_a_place.community, floor_area=-5)
        )
    assert "floor_area" in error.value.message_dict


def test_it_refuses_street_staff_adding_a_community_elsewhere(personas):
    with pytest.raises(PermissionDenied, match="您只能管理本街道内的区域"):
        community_create(
            actor=personas.street_b, data={"street": personas.street_a_place.community.street, "name": "X"}
        )
