"""Staff place an estate on the map (neighbourhood_update with a WGS-84 position)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from renovation.places.models import Neighbourhood
from renovation.places.services import neighbourhood_update


def test_it_stores_the_position_with_a_history_entry(personas):
    place = personas.street_a_place
    neighbourhood_update(
        actor=personas.street_a,
        neighbourhood=place,
        data={"latitude": Decimal("27.781234"), "longitude": Decimal("120.654321")},
    )
    place.refresh_from_db()
    assert (place.latitude, place.longitude) == (Decimal("27.781234"), Decimal("120.654321"))
    assert place.history.first().history_change_reason == "neighbourhood_update"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"latitude": Decimal("27.78")}, "longitude", "经度"),
        ({"longitude": Decimal("120.65")}, "latitude", "纬度"),
        ({"latitude": Decimal("51.48"), "longitude": Decimal("-0.0015")}, "longitude", "中国"),
        ({"latitude": Decimal("-27.78"), "longitude": Decimal("120.65")}, "latitude", "中国"),
    ],
)
def test_it_refuses_half_a_position_or_one_outside_china_in_chinese(personas, data, field, message):
    place = personas.street_a_place
    with pytest.raises(ValidationError) as error:
        neighbourhood_update(actor=personas.bureau, neighbourhood=place, data=data)
    assert message in " ".join(error.value.message_dict[field])
    place.refresh_from_db()
    assert place.latitude is None and place.longitude is None


def test_its_database_refuses_half_a_position_too(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        Neighbourhood.objects.filter(pk=personas.street_a_place.pk).update(latitude=Decimal("27.78"))
