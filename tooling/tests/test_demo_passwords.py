"""The demo users' passwords (tooling/load_demo.py): random outside development, kept
owner-only, each user's line replaced only when that user was created again."""
import stat

from tooling.load_demo import demo_password, keep_passwords, read_passwords

USER = {"username": "admin", "password": "admin-dev-only-2026"}


def test_a_random_password_is_not_the_published_one_and_differs_each_time():
    first, second = demo_password(USER, True), demo_password(USER, True)
    assert USER["password"] not in (first, second) and first != second and len(first) >= 16
    assert demo_password(USER, False) == USER["password"]


def test_passwords_are_kept_owner_only_and_other_users_lines_stay(tmp_path):
    path = tmp_path / "secrets" / "demo_passwords"
    assert keep_passwords(path, {"admin": "first-random-pass"}) == {"admin": "first-random-pass"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # a later load created binh only (admin was there): admin's line is still the real one
    keep_passwords(path, {"binh": "binh-random-pass"})
    assert read_passwords(path) == {"admin": "first-random-pass", "binh": "binh-random-pass"}
    # a fresh store: admin created again, with a new password, which replaces the old line
    keep_passwords(path, {"admin": "second-random-pass"})
    assert read_passwords(path)["admin"] == "second-random-pass"


def test_no_file_reads_as_no_passwords(tmp_path):
    assert read_passwords(tmp_path / "none") == {}
