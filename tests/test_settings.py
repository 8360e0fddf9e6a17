"""Settings come from INTERDICTION_* variables and an optional TOML file; bad values are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from interdiction.settings import Settings, SettingsError


def test_defaults_put_sqlite_under_the_data_directory(tmp_path):
    settings = Settings.load({"INTERDICTION_DATA_DIR": str(tmp_path)})
    assert settings.data_dir == tmp_path
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'interdiction.db'}"


def test_environment_wins_over_the_file(tmp_path):
    config = tmp_path / "interdiction.toml"
    config.write_text("claim_minutes = 5\nsecure_cookies = true\nthreshold = 0.7\n")
    settings = Settings.load(
        {"INTERDICTION_CONFIG": str(config), "INTERDICTION_CLAIM_MINUTES": "30"}
    )
    assert settings.claim_minutes == 30
    assert settings.secure_cookies is True
    assert settings.threshold == 0.7


def test_database_url_is_taken_as_given():
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/interdiction"
    assert Settings.load({"INTERDICTION_DATABASE_URL": url}).resolved_database_url == url


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"INTERDICTION_CLAIM_MINUTES": "soon"}, "INTERDICTION_CLAIM_MINUTES"),
        ({"INTERDICTION_SECURE_COOKIES": "maybe"}, "INTERDICTION_SECURE_COOKIES"),
        ({"INTERDICTION_CONFIG": "/nonexistent/interdiction.toml"}, "INTERDICTION_CONFIG"),
    ],
)
def test_bad_values_are_named(env, named):
    with pytest.raises(SettingsError, match=named):
        Settings.load(env)


def test_unknown_file_settings_are_refused(tmp_path: Path):
    config = tmp_path / "c.toml"
    config.write_text("claim_minuts = 5\n")
    with pytest.raises(SettingsError, match="claim_minuts"):
        Settings.load({"INTERDICTION_CONFIG": str(config)})
