"""config.toml: the non-secret half of the profiles."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui.services.credentials.config import (
    ConfigFile,
    ProfileRecord,
    WizardConfig,
    default_config_path,
)
from tui.services.credentials.errors import ConfigFileError

WORK = ProfileRecord(
    name="work",
    account_sid="AC" + "a" * 32,
    auth_kind="api_key",
    api_key_sid="SK" + "b" * 32,
    region="ie1",
    edge="dublin",
    verified_at=datetime(2026, 11, 27, 10, 55, 12, tzinfo=UTC),
    keyring_backend="SecretService Keyring",
)
HOME = ProfileRecord(name="home", account_sid="AC" + "c" * 32, auth_kind="auth_token")


def test_round_trip(config_file: ConfigFile) -> None:
    config = WizardConfig(active_profile="work", profiles={"work": WORK, "home": HOME})
    config_file.save(config)
    assert config_file.load() == config


def test_the_file_is_private_and_in_a_private_folder(config_file: ConfigFile) -> None:
    config_file.save(WizardConfig(profiles={"home": HOME}))
    assert stat.S_IMODE(config_file.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_file.path.parent.stat().st_mode) == 0o700


def test_the_layout_is_the_documented_one(config_file: ConfigFile) -> None:
    config_file.save(WizardConfig(active_profile="work", profiles={"work": WORK, "home": HOME}))
    text = config_file.path.read_text()
    assert 'active_profile = "work"' in text
    assert "[profiles.work]" in text and "[profiles.home]" in text
    assert 'api_key_sid = "SK' in text
    assert "verified_at = 2026-11-27 10:55:12+00:00" in text  # a TOML date-time, not a string
    # Unset optional fields are left out rather than written empty.
    home_table = text.split("[profiles.home]")[1].split("[profiles.work]")[0]
    assert "region" not in home_table and "api_key_sid" not in home_table


def test_other_top_level_settings_survive_a_rewrite(config_file: ConfigFile) -> None:
    config_file.path.parent.mkdir(parents=True)
    config_file.path.write_text('theme = "dark"\n[receipts]\nkeep = 10\n')
    config_file.save(config_file.load().with_profile(HOME).with_active("home"))
    text = config_file.path.read_text()
    assert 'theme = "dark"' in text and "keep = 10" in text
    assert config_file.load().active_profile == "home"


def test_a_missing_file_is_an_empty_config(config_file: ConfigFile) -> None:
    assert config_file.load() == WizardConfig()


def test_an_active_profile_that_is_gone_means_none_is_active(config_file: ConfigFile) -> None:
    config_file.path.parent.mkdir(parents=True)
    config_file.path.write_text('active_profile = "gone"\n')
    assert config_file.load().active_profile is None


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("active_profile = ", "not valid TOML"),
        ("profiles = 3\n", "profiles is not a table"),
        ('[profiles.work]\naccount_sid = "SK' + "b" * 32 + '"\nauth_kind = "auth_token"\n', "profiles.work"),
        ('[profiles.work]\naccount_sid = "AC' + "a" * 32 + '"\nauth_kind = "password"\n', "auth_kind"),
        ('[profiles.work]\naccount_sid = "AC' + "a" * 32 + '"\nauth_kind = "api_key"\n', "does not match"),
        (
            '[profiles.work]\naccount_sid = "AC'
            + "a" * 32
            + '"\nauth_kind = "auth_token"\nverified_at = "yesterday"\n',
            "verified_at",
        ),
    ],
)
def test_a_broken_file_is_reported_with_its_path_and_the_fix(
    config_file: ConfigFile, text: str, complaint: str
) -> None:
    config_file.path.parent.mkdir(parents=True)
    config_file.path.write_text(text)
    with pytest.raises(ConfigFileError) as raised:
        config_file.load()
    assert str(config_file.path) in str(raised.value)
    assert complaint in str(raised.value)


def test_the_default_location_follows_xdg_config_home(isolated_environment: Path) -> None:
    assert default_config_path() == isolated_environment / ".config" / "number-wizard" / "config.toml"
