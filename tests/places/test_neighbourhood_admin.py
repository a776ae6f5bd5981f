"""Staff place an estate on the map from the admin's neighbourhood form."""

from decimal import Decimal

from django.urls import reverse


def _form(place, **overrides):
    data = {
        "community": place.community_id,
        "name": place.name,
        "address": place.address,
        "built_year": str(place.built_year),
        "building_count": str(place.building_count),
        "household_count": str(place.household_count),
        "floor_area": str(place.floor_area),
        "management_type": place.management_type,
        "latitude": "",
        "longitude": "",
    }
    data.update(overrides)
    return data


def test_it_saves_a_position_entered_in_the_admin(login, personas):
    place = personas.street_a_place
    client = login(personas.street_a)
    url = reverse("neighbourhood:edit", args=[place.pk])
    response = client.post(url, _form(place, latitude="27.781234", longitude="120.654321"))
    assert response.status_code == 302, response.content.decode()[:2000]
    place.refresh_from_db()
    assert (place.latitude, place.longitude) == (Decimal("27.781234"), Decimal("120.654321"))


def test_it_shows_a_position_outside_china_as_a_chinese_error_and_saves_nothing(login, personas):
    place = personas.street_a_place
    client = login(personas.street_a)
    url = reverse("neighbourhood:edit", args=[place.pk])
    response = client.post(url, _form(place, latitude="27.781234", longitude="-120.654321"))
    assert response.status_code == 200
    assert "请填写中国境内的经度" in response.content.decode()
    place.refresh_from_db()
    assert place.longitude is None
