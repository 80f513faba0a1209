"""The words shown when the keyring cannot be used: the right fix per platform,
and environment-variable help that never contains a value."""

from __future__ import annotations

import pytest

from tui.services.credentials import guidance
from tui.services.credentials.guidance import PlatformKind, detect_platform


@pytest.mark.parametrize(
    ("system", "env", "expected"),
    [
        ("darwin", {}, PlatformKind.MACOS),
        ("win32", {}, PlatformKind.WINDOWS),
        ("linux", {"WSL_DISTRO_NAME": "Ubuntu"}, PlatformKind.WSL),
        ("linux", {"DISPLAY": ":0", "WSL_INTEROP": "/run/WSL/1_interop"}, PlatformKind.WSL),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, PlatformKind.LINUX_DESKTOP),
        ("freebsd14", {}, PlatformKind.OTHER),
    ],
)
def test_platform_detection(system: str, env: dict[str, str], expected: PlatformKind) -> None:
    assert detect_platform(env, system) is expected


def test_linux_without_a_display_is_headless(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guidance, "_is_wsl", lambda env: False)
    assert detect_platform({}, "linux") is PlatformKind.LINUX_HEADLESS


@pytest.mark.parametrize(
    ("platform", "fix", "expected"),
    [
        (PlatformKind.LINUX_HEADLESS, guidance.no_keyring_fix, "dbus-run-session"),
        (PlatformKind.WSL, guidance.no_keyring_fix, "WSL has no keyring"),
        (PlatformKind.LINUX_DESKTOP, guidance.no_keyring_fix, "GNOME Keyring"),
        (PlatformKind.MACOS, guidance.locked_fix, "security unlock-keychain"),
        (PlatformKind.WINDOWS, guidance.no_keyring_fix, "Credential Manager"),
        (PlatformKind.LINUX_DESKTOP, guidance.locked_fix, "Seahorse"),
    ],
)
def test_each_platform_gets_its_own_fix(platform, fix, expected: str) -> None:
    assert expected in fix(platform)


@pytest.mark.parametrize("platform", list(PlatformKind))
@pytest.mark.parametrize("api_key", [True, False])
def test_environment_help_names_variables_with_placeholders_only(
    platform: PlatformKind, api_key: bool
) -> None:
    lines = guidance.environment_variable_help(platform, api_key=api_key)
    text = "\n".join(lines)
    assert "TWILIO_ACCOUNT_SID" in text
    assert ("TWILIO_API_SECRET" in text) is api_key
    assert ("TWILIO_AUTH_TOKEN" in text) is not api_key
    assert "AC…" in text
    if platform is not PlatformKind.WINDOWS:
        # The secret is typed into `read -s`, never written after an `=`.
        assert any(line.startswith("read -rs TWILIO_") for line in lines)


def test_a_broken_backend_setting_names_the_variable() -> None:
    fix = guidance.broken_setting_fix({"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"})
    assert "PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring" in fix
    assert "keyringrc.cfg" in guidance.broken_setting_fix({})
