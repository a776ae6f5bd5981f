"""Staff accounts in Wagtail's users and groups screens: who may do what, and nothing else."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client

from renovation.accounts import services
from renovation.accounts.models import SessionRecord, StaffProfile, StaffRole
from tests.accounts.matrix import ALLOWED, REFUSED, SIGN_IN, Cell, assert_matrix

User = get_user_model()


def _new_staff_post(street_id: int | None, role: str = "street", username: str = "newstaff") -> dict:
    return {
        "username": username,
        "email": f"{username}@example.cn",
        "first_name": "新同事",
        "last_name": "",
        "password1": "Renovation-2026!",
        "password2": "Renovation-2026!",
        "role": role,
        "street": street_id or "",
    }


def test_it_follows_the_permission_matrix_of_the_user_admin(personas, cast):
    street_a = personas.street_a.staff_profile.street_id
    people = {
        "anonymous": None,
        "resident": personas.resident,
        "supervisor": cast.supervisor,
        "construction unit": cast.builder,
        "street A": personas.street_a,
        "bureau": personas.bureau,
        "administrator": personas.superuser,
    }
    columns = {
        "list users": Cell("get", "/admin/users/"),
        "add form": Cell("get", "/admin/users/new/"),
        "add street staff": Cell("post", "/admin/users/new/", _new_staff_post(street_a)),
        "add bureau staff": Cell("post", "/admin/users/new/", _new_staff_post(None, "bureau", "newbureau")),
        "edit street B": Cell("get", f"/admin/users/edit/{personas.street_b.pk}/"),
        "edit administrator": Cell("get", f"/admin/users/edit/{personas.superuser.pk}/"),
        "delete street B": Cell("get", f"/admin/users/delete/{personas.street_b.pk}/"),
        "list groups": Cell("get", "/admin/groups/"),
        "add group": Cell("get", "/admin/groups/new/"),
        "sign-in locks": Cell("get", "/admin/sign-in-locks/"),
    }
    nobody = dict.fromkeys(columns, REFUSED)
    anonymous = dict.fromkeys(columns, SIGN_IN)
    bureau = {
        **dict.fromkeys(columns, ALLOWED),
        "edit administrator": REFUSED,
        "delete street B": REFUSED,
        "add group": REFUSED,
    }

    def forget_new_accounts() -> None:
        User.objects.filter(username__in=["newstaff", "newbureau"]).delete()

    assert_matrix(
        people,
        columns,
        {
            "anonymous": anonymous,
            "resident": nobody,
            "supervisor": nobody,
            "construction unit": nobody,
            "street A": nobody,
            "bureau": bureau,
            "administrator": dict.fromkeys(columns, ALLOWED),
        },
        after_each=forget_new_accounts,
    )


def test_it_creates_a_street_staff_account_with_its_street(personas, login):
    street = personas.street_a.staff_profile.street
    response = login(personas.bureau).post("/admin/users/new/", _new_staff_post(street.pk))
    assert response.status_code == 302
    user = User.objects.get(username="newstaff")
    assert user.staff_profile.role == StaffRole.STREET and user.staff_profile.street == street
    assert list(user.groups.values_list("name", flat=True)) == [services.STREET_GROUP]
    assert user.check_password("Renovation-2026!") and not user.is_superuser
    assert user.history.first().history_change_reason == "staff_account_create"


def test_it_refuses_street_staff_creating_a_bureau_account_and_saves_nothing(personas, login):
    before = User.objects.count()
    response = login(personas.street_a).post("/admin/users/new/", _new_staff_post(None, "bureau", "sneaky"))
    assert response.status_code == 403
    assert User.objects.count() == before
    with pytest.raises(PermissionDenied, match="只有住建局工作人员可以创建或修改账号"):
        services.staff_account_create(
            actor=personas.street_a,
            username="sneaky",
            email="s@example.cn",
            first_name="x",
            password="Renovation-2026!",
            role=StaffRole.BUREAU,
        )
    assert not User.objects.filter(username="sneaky").exists()


def test_it_refuses_street_staff_raising_their_own_role(personas, login):
    response = login(personas.street_a).post(
        f"/admin/users/edit/{personas.street_a.pk}/",
        {"username": "staff_a", "email": "a@example.cn", "first_name": "安阳", "role": "bureau", "is_active": "on"},
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied, match="只有住建局工作人员可以创建或修改账号"):
        services.staff_account_update(actor=personas.street_a, user=personas.street_a, data={"role": "bureau"})
    assert StaffProfile.objects.get(user=personas.street_a).role == StaffRole.STREET


def test_it_refuses_bureau_staff_changing_their_own_role_or_making_administrators(personas, login):
    with pytest.raises(PermissionDenied, match="您不能修改自己的角色，请由住建局其他工作人员办理"):
        services.staff_account_update(
            actor=personas.bureau,
            user=personas.bureau,
            data={"role": "street", "street": personas.street_a_place.community.street},
        )
    response = login(personas.bureau).post(
        f"/admin/users/edit/{personas.street_b.pk}/",
        {
            "username": "staff_b",
            "email": "b@example.cn",
            "first_name": "玉海",
            "role": "street",
            "street": personas.street_b.staff_profile.street_id,
            "is_active": "on",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    personas.street_b.refresh_from_db()
    assert not personas.street_b.is_superuser  # the field is not offered to bureau staff; ignored


def test_it_explains_a_street_role_without_a_street_and_saves_nothing(personas, login):
    response = login(personas.bureau).post("/admin/users/new/", _new_staff_post(None, "street"))
    assert response.status_code == 200
    assert "街道工作人员必须归属某个街道" in response.content.decode()
    assert not User.objects.filter(username="newstaff").exists()


def test_it_deactivates_an_account_keeps_its_history_and_ends_its_sessions(personas, login):
    other = Client()
    other.force_login(personas.street_b)
    assert SessionRecord.objects.filter(user=personas.street_b).count() == 1
    session_key = other.session.session_key
    response = login(personas.bureau).post(
        f"/admin/users/edit/{personas.street_b.pk}/",
        {
            "username": "staff_b",
            "email": "b@example.cn",
            "first_name": "玉海",
            "role": "street",
            "street": personas.street_b.staff_profile.street_id,
            "reason": "调离街道",
        },
    )
    assert response.status_code == 302
    personas.street_b.refresh_from_db()
    assert not personas.street_b.is_active
    assert not Session.objects.filter(session_key=session_key).exists()
    assert other.get("/admin/").status_code == 302  # signed out
    latest = personas.street_b.history.first()
    assert latest.history_change_reason == "account_deactivate: 调离街道" and not latest.is_active
    assert latest.history_user == personas.bureau


def test_it_asks_why_an_account_is_deactivated(personas, login):
    response = login(personas.bureau).post(
        f"/admin/users/edit/{personas.street_b.pk}/",
        {
            "username": "staff_b",
            "email": "b@example.cn",
            "first_name": "玉海",
            "role": "street",
            "street": personas.street_b.staff_profile.street_id,
        },
    )
    assert response.status_code == 200 and "停用原因" in response.content.decode()
    personas.street_b.refresh_from_db()
    assert personas.street_b.is_active


def test_it_resets_a_password_and_ends_the_other_sessions(personas, login):
    other = Client()
    other.force_login(personas.street_b)
    response = login(personas.bureau).post(
        f"/admin/users/edit/{personas.street_b.pk}/",
        {
            "username": "staff_b",
            "email": "b@example.cn",
            "first_name": "玉海",
            "role": "street",
            "street": personas.street_b.staff_profile.street_id,
            "is_active": "on",
            "password1": "Another-Pass-77",
            "password2": "Another-Pass-77",
        },
    )
    assert response.status_code == 302
    personas.street_b.refresh_from_db()
    assert personas.street_b.check_password("Another-Pass-77")
    assert other.get("/admin/").status_code == 302
    assert not SessionRecord.objects.filter(user=personas.street_b).exists()


def test_it_shows_the_users_screens_in_chinese(personas, login):
    page = login(personas.bureau).get("/admin/users/new/").content.decode()
    assert "添加用户" in page and "员工角色" in page and "街道" in page


def test_it_answers_the_addresses_people_type_for_the_users_screens(personas, login):
    client = login(personas.bureau)
    assert client.get("/admin/users/add/")["Location"] == "/admin/users/new/"
    assert (
        client.get(f"/admin/users/{personas.street_a.pk}/")["Location"] == f"/admin/users/edit/{personas.street_a.pk}/"
    )
    assert client.get("/admin/users/new/").status_code == 200


def test_it_keeps_bulk_role_and_active_changes_from_bureau_staff(personas, login):
    bureau_group = personas.bureau.groups.get()
    client = login(personas.bureau)
    client.post(f"/admin/bulk/auth/user/assign_role/?id={personas.street_a.pk}", {"role": bureau_group.pk})
    client.post(f"/admin/bulk/auth/user/set_active_state/?id={personas.street_a.pk}", {"mark_as_active": ""})
    personas.street_a.refresh_from_db()
    assert personas.street_a.is_active
    assert list(personas.street_a.groups.values_list("name", flat=True)) == [services.STREET_GROUP]
