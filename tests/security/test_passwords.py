"""Password rules: length, no truncation, blocklist, the dengbao/asvs profiles, expiry (security.md A3-A6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.security import check_password_hash

from stations.auth.models import Role
from stations.domain.passwords import CONTEXT_WORDS, MAX_LENGTH, common_passwords, password_problems
from stations.extensions import db
from stations.timeutil import utcnow
from tests.accounts import STRONG_PASSWORD, get_user, logged_in, login, make_user
from tests.helpers.suite import csrf_token_from

# 12 and 128 characters from all four classes, nowhere near the blocklist.
PASSWORD_12 = "Kx7#vRq2!mPz"
PASSWORD_128 = ("Tq8$wLm3&Zr5^" * 10)[:MAX_LENGTH]


def change_password(client, current: str, new: str, confirm: str | None = None):
    token = csrf_token_from(client, "/account/password")
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
            "csrf_token": token,
        },
    )


# --- the pure rules ------------------------------------------------------------------------------


def test_the_shipped_blocklist_has_at_least_3000_entries_and_loads_once():
    listed = common_passwords()
    assert len(listed) >= 30_000
    assert common_passwords() is listed  # cached: loaded on first use only
    assert {"123456", "password", "qwerty", "1qaz2wsx", "woaini1314", "5201314"} <= listed


# Every 1500th entry of the 30,000 in zxcvbn's list (20 entries), checked whatever the profile.
@pytest.mark.parametrize("rank", range(0, 30_000, 1500))
def test_entries_of_the_shipped_list_are_rejected(rank):
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    password = FREQUENCY_LISTS["passwords"][rank]
    assert "common" in password_problems(password, "asvs")
    assert "common" in password_problems(password.capitalize(), "dengbao")


@pytest.mark.parametrize(
    "password", ["P@ssw0rd123", "Qwerty123!", "Abc123456!", "1qaz@WSX", "Woaini1314!", "Dragon2024!", "Zxcvbnm123!"]
)
def test_common_passwords_dressed_up_with_capitals_digits_and_symbols_are_still_common(password):
    problems = password_problems(password, "dengbao")
    assert "common" in problems
    assert "classes" not in problems and "too_short" not in problems


@pytest.mark.parametrize("word", ["stations", "jinghe", "gov", "123456", "zhengwu"])
def test_context_words_are_rejected(word):
    assert word in CONTEXT_WORDS
    password = f"{word.capitalize()}@26!"
    assert "context" in password_problems(password, "dengbao")


def test_username_is_a_context_word():
    assert "context" in password_problems("Staff-ll2026!", "dengbao", context_words=["staff-ll"])
    assert password_problems("Staff-ll2026!", "dengbao") == []


@pytest.mark.parametrize(
    ("password", "profile", "expected"),
    [
        ("Ab1!xyz", "dengbao", ["too_short"]),  # 7 characters
        ("Ab1!wxyz", "dengbao", []),  # 8 characters, 4 classes
        ("abcdwxyz12", "dengbao", ["classes"]),  # 2 classes
        (PASSWORD_12, "asvs", []),
        ("Kx7#vRq2!mP", "asvs", ["too_short"]),  # 11 characters
        (PASSWORD_128, "dengbao", []),
        (PASSWORD_128 + "x", "dengbao", ["too_long"]),  # 129 characters
        ("correcthorsebatterystaple", "asvs", []),  # a passphrase: length instead of composition
        ("correcthorsebatterystaple", "dengbao", ["classes"]),
    ],
)
def test_length_and_composition_by_profile(password, profile, expected):
    assert password_problems(password, profile) == expected


# --- through the password page -------------------------------------------------------------------


@pytest.fixture
def tester(app):
    make_user("pw-tester", Role.STAFF, STRONG_PASSWORD)
    return logged_in(app, "pw-tester")


def test_seven_characters_rejected_twelve_and_128_accepted_no_truncation(app, tester):
    response = change_password(tester, STRONG_PASSWORD, "Ab1!xyz")
    assert response.status_code == 422
    assert "密码至少需要 8 位" in response.get_data(as_text=True)

    response = change_password(tester, STRONG_PASSWORD, "Yh6%tGb4#wQe")
    assert response.status_code == 303
    response = change_password(tester, "Yh6%tGb4#wQe", PASSWORD_128)
    assert response.status_code == 303
    assert check_password_hash(get_user("pw-tester").password_hash, PASSWORD_128)

    # All 128 characters count: the password minus its last character does not open the account.
    assert login(app.test_client(), "pw-tester", PASSWORD_128[:-1]).status_code == 422
    assert login(app.test_client(), "pw-tester", PASSWORD_128).status_code == 303


def test_129_characters_rejected(tester):
    response = change_password(tester, STRONG_PASSWORD, PASSWORD_128 + "x")
    assert response.status_code == 422
    assert "密码不能超过 128 位" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "password",
    ["Password1!", "P@ssw0rd123", "Qwerty123!", "Woaini1314!", "Stations@2024", "Jinghe@2026", "Pw-tester1!"],
)
def test_blocklisted_and_context_passwords_rejected_with_a_message(tester, password):
    before = get_user("pw-tester").password_hash
    response = change_password(tester, STRONG_PASSWORD, password)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "该密码过于常见" in body or "容易联想的词" in body
    assert get_user("pw-tester").password_hash == before


def test_profile_asvs_accepts_a_passphrase_dengbao_asks_for_classes(app, tester, monkeypatch):
    response = change_password(tester, STRONG_PASSWORD, "correcthorsebatterystaple")
    assert response.status_code == 422
    assert "至少三类" in response.get_data(as_text=True)

    monkeypatch.setitem(app.config, "PASSWORD_PROFILE", "asvs")
    response = change_password(tester, STRONG_PASSWORD, "Ab1!wxyz")  # fine for dengbao, too short for asvs
    assert response.status_code == 422
    assert "密码至少需要 12 位" in response.get_data(as_text=True)
    response = change_password(tester, STRONG_PASSWORD, "correcthorsebatterystaple")
    assert response.status_code == 303


def test_new_password_must_differ_and_match_confirmation(tester):
    assert change_password(tester, STRONG_PASSWORD, STRONG_PASSWORD).status_code == 422
    response = change_password(tester, STRONG_PASSWORD, "Yh6%tGb4#wQe", confirm="Yh6%tGb4#wQf")
    assert response.status_code == 422
    assert "两次输入的新密码不一致" in response.get_data(as_text=True)


def test_change_needs_the_current_password(tester):
    """A6: without it or with a wrong one the hash does not change."""
    before = get_user("pw-tester").password_hash
    assert change_password(tester, "", "Yh6%tGb4#wQe").status_code == 422
    response = change_password(tester, "Wrong-Pass-99!", "Yh6%tGb4#wQe")
    assert response.status_code == 422
    assert "当前密码不正确" in response.get_data(as_text=True)
    assert get_user("pw-tester").password_hash == before


# --- expiry (dengbao: 90 days for staff-side accounts, never for enterprise users) -------------------


def age_password(username: str, days: int) -> None:
    user = get_user(username)
    user.password_changed_at = utcnow() - timedelta(days=days)
    db.session.commit()


@pytest.mark.parametrize("role", [Role.STAFF, Role.CLERK, Role.CENTRAL, Role.ADMIN])
def test_after_91_days_staff_side_accounts_must_change_their_password(app, role):
    make_user("old-pw", role)
    age_password("old-pw", 91)
    client = app.test_client()
    response = login(client, "old-pw", STRONG_PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account/password")
    # Every other page sends them back to the password page until they have changed it.
    for url in ("/home", "/admin/", "/catalog/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/account/password")
    page = client.get("/account/password")
    assert page.status_code == 200
    assert "您的密码已过期" in page.get_data(as_text=True)
    assert change_password(client, STRONG_PASSWORD, "Yh6%tGb4#wQe").status_code == 303
    assert client.get("/catalog/").status_code == 200


def test_89_days_is_not_yet_expired(app):
    make_user("fresh-pw", Role.STAFF)
    age_password("fresh-pw", 89)
    response = login(app.test_client(), "fresh-pw", STRONG_PASSWORD)
    assert response.headers["Location"].endswith("/home")


def test_enterprise_passwords_never_expire(app):
    from stations.enterprises.models import Enterprise

    enterprise_id = db.session.scalar(db.select(Enterprise.id).limit(1))
    make_user("ent-old", Role.ENTERPRISE, enterprise_id=enterprise_id)
    age_password("ent-old", 400)
    client = app.test_client()
    response = login(client, "ent-old", STRONG_PASSWORD)
    assert response.headers["Location"].endswith("/home")
    assert client.get("/home").status_code == 200


def test_asvs_profile_has_no_expiry(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_PROFILE", "asvs")
    make_user("asvs-old", Role.STAFF)
    age_password("asvs-old", 400)
    response = login(app.test_client(), "asvs-old", STRONG_PASSWORD)
    assert response.headers["Location"].endswith("/home")


def test_expired_password_blocks_the_api_with_json(app):
    make_user("api-old", Role.STAFF)
    age_password("api-old", 91)
    client = app.test_client()
    login(client, "api-old", STRONG_PASSWORD)
    response = client.get("/api/v1/stations")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "password_expired"
