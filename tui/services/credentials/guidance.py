"""What to tell the person when the system keyring cannot be used: the fix for
their operating system, and how to use environment variables instead.

Kept apart from the keyring logic so that the Account screen and the command line
show the same words. No secret values ever appear here, only variable names.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path


class PlatformKind(StrEnum):
    LINUX_DESKTOP = "linux-desktop"
    LINUX_HEADLESS = "linux-headless"  # SSH, servers, containers, CI: no display
    WSL = "wsl"
    MACOS = "macos"
    WINDOWS = "windows"
    OTHER = "other"


def _is_wsl(env: Mapping[str, str]) -> bool:
    if env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        return True
    try:
        release = Path("/proc/sys/kernel/osrelease").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return "microsoft" in release.lower()


def detect_platform(env: Mapping[str, str] | None = None, system: str | None = None) -> PlatformKind:
    env = os.environ if env is None else env
    system = sys.platform if system is None else system
    if system == "darwin":
        return PlatformKind.MACOS
    if system in ("win32", "cygwin"):
        return PlatformKind.WINDOWS
    if system.startswith("linux"):
        if _is_wsl(env):
            return PlatformKind.WSL
        if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
            return PlatformKind.LINUX_DESKTOP
        return PlatformKind.LINUX_HEADLESS
    return PlatformKind.OTHER


def keyring_config_file() -> str:
    """Where the Python keyring library looks for its backend setting."""
    try:
        from keyring.util.platform_ import config_root

        return str(Path(config_root()) / "keyringrc.cfg")
    except Exception:  # a broken keyring install must not break the explanation
        return "keyringrc.cfg in the python_keyring config folder"


# A headless Linux session has no keyring until one is started and unlocked from
# the terminal: gnome-keyring reads the password from standard input. The same
# password must be used every time, or the existing keyring stays locked.
_HEADLESS_RECIPE = (
    "install gnome-keyring and dbus (Debian/Ubuntu: `sudo apt install gnome-keyring dbus`), "
    "then start a D-Bus session with its keyring unlocked and run number-wizard inside it:\n"
    "    dbus-run-session -- $SHELL\n"
    "    read -rs KEYRING_PASSWORD && printf '%s' \"$KEYRING_PASSWORD\" | "
    "gnome-keyring-daemon --unlock --components=secrets >/dev/null; unset KEYRING_PASSWORD\n"
    "Use the same keyring password every time: with a different one the existing "
    "keyring stays locked."
)


def _no_keyring_fixes() -> dict[PlatformKind, str]:
    # A function, not a table built at import: naming the keyring's config file
    # imports keyring, which the Account step's first frame does without.
    return {
        PlatformKind.LINUX_DESKTOP: (
            "Install and start a Secret Service keyring: GNOME Keyring (package "
            "gnome-keyring), KWallet, or KeePassXC with its Secret Service integration "
            "turned on. Then log out and in again so it is unlocked at login. "
            "`python -m keyring diagnose` shows what the keyring library finds."
        ),
        PlatformKind.LINUX_HEADLESS: (
            "There is no desktop session here (SSH, a server or a container), so no keyring "
            "is running. To get one, " + _HEADLESS_RECIPE
        ),
        PlatformKind.WSL: (
            "WSL has no keyring of its own and cannot use Windows Credential Manager from "
            "Linux programs. Either " + _HEADLESS_RECIPE
        ),
        PlatformKind.MACOS: (
            "The macOS Keychain should always be available: check that PYTHON_KEYRING_BACKEND "
            f"is not set and that {keyring_config_file()} does not pick another backend."
        ),
        PlatformKind.WINDOWS: (
            "Windows Credential Manager should always be available: check that "
            f"PYTHON_KEYRING_BACKEND is not set and that {keyring_config_file()} does not "
            "pick another backend."
        ),
        PlatformKind.OTHER: (
            "Install a keyring backend that the Python keyring library supports on this "
            "system; `python -m keyring diagnose` shows what it finds."
        ),
    }


_LOCKED_FIX: dict[PlatformKind, str] = {
    PlatformKind.LINUX_DESKTOP: (
        "Unlock the keyring: answer its unlock dialog, or open Passwords and Keys "
        "(Seahorse) and unlock the Login keyring, then try again."
    ),
    PlatformKind.LINUX_HEADLESS: (
        "Nothing can show an unlock dialog here, so unlock it from the terminal with the "
        "password it was created with:\n"
        "    read -rs KEYRING_PASSWORD && printf '%s' \"$KEYRING_PASSWORD\" | "
        "gnome-keyring-daemon --unlock --components=secrets >/dev/null; unset KEYRING_PASSWORD\n"
        "If there is no keyring yet, " + _HEADLESS_RECIPE
    ),
    PlatformKind.WSL: (
        "Nothing can show an unlock dialog in WSL, so unlock gnome-keyring from the "
        "terminal with the password it was created with:\n"
        "    read -rs KEYRING_PASSWORD && printf '%s' \"$KEYRING_PASSWORD\" | "
        "gnome-keyring-daemon --unlock --components=secrets >/dev/null; unset KEYRING_PASSWORD"
    ),
    PlatformKind.MACOS: (
        "Unlock the login keychain in Keychain Access, or over SSH with "
        "`security unlock-keychain ~/Library/Keychains/login.keychain-db`, then try again."
    ),
    PlatformKind.WINDOWS: (
        "Sign in to Windows with your password (not only a PIN or a remote session "
        "token) so Credential Manager opens, then try again."
    ),
    PlatformKind.OTHER: "Unlock the keyring, then try again.",
}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def no_keyring_fix(platform: PlatformKind) -> str:
    return _no_keyring_fixes()[platform]


def locked_fix(platform: PlatformKind) -> str:
    return _LOCKED_FIX[platform]


def disabled_fix() -> str:
    return (
        "The keyring library was disabled on purpose (`keyring --disable`, or "
        "PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring): unset "
        f"PYTHON_KEYRING_BACKEND, or delete {keyring_config_file()}, to turn it back on."
    )


def broken_setting_fix(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    chosen = env.get("PYTHON_KEYRING_BACKEND")
    if chosen:
        # The class name is configuration, not a secret: showing it is the point.
        return (
            f"PYTHON_KEYRING_BACKEND={chosen} names a backend that cannot be loaded here: "
            "install the package that provides it, or unset the variable."
        )
    return (
        f"Check the backend named in {keyring_config_file()} (install the package that "
        "provides it, or delete the file), and PYTHON_KEYRING_BACKEND if you set it."
    )


def insecure_fix(platform: PlatformKind) -> str:
    return (
        "number-wizard does not store secrets in a plain file. Uninstall keyrings.alt "
        "(`pip uninstall keyrings.alt`) or select a secure backend (unset "
        f"PYTHON_KEYRING_BACKEND, check {keyring_config_file()}). If no other keyring "
        "is running, " + _lower_first(no_keyring_fix(platform))
    )


def unsupported_fix(platform: PlatformKind) -> str:
    return (
        "This backend asks for its own master password on the terminal, which the "
        "wizard's screen cannot pass on (and which hangs without a terminal). Select "
        "another backend (PYTHON_KEYRING_BACKEND, or " + keyring_config_file() + "). "
        "If no other keyring is running, " + _lower_first(no_keyring_fix(platform))
    )


def timeout_fix(seconds: float) -> str:
    return (
        f"The keyring did not answer within {seconds:g} s. An unlock dialog may be "
        "waiting (perhaps behind another window or on another screen): answer it, then "
        "try again. If none is open, restart the keyring daemon or log in again. "
        "number-wizard makes no further keyring calls in this run while that call is "
        "still waiting."
    )


ENVIRONMENT_ALTERNATIVE = (
    "Without a keyring you can set TWILIO_ACCOUNT_SID with TWILIO_API_KEY and "
    "TWILIO_API_SECRET (or TWILIO_AUTH_TOKEN) in the environment instead of a profile."
)


def environment_variable_help(platform: PlatformKind, *, api_key: bool = True) -> list[str]:
    """How to give credentials through environment variables, with placeholders
    only: a line with a real value would end up in shell history and scrollback."""
    names = (
        ["TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET"]
        if api_key
        else ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]
    )
    placeholders = {
        "TWILIO_ACCOUNT_SID": "AC…",
        "TWILIO_API_KEY": "SK…",
        "TWILIO_API_SECRET": "<API key secret>",
        "TWILIO_AUTH_TOKEN": "<Auth Token>",
    }
    if platform is PlatformKind.WINDOWS:
        lines = [f'$env:{name} = "{placeholders[name]}"' for name in names]
        note = "In PowerShell, for this window only:"
    else:
        secret_name = names[-1]
        lines = [f"export {name}={placeholders[name]}" for name in names[:-1]]
        # `read -s` keeps the secret out of shell history and off the screen.
        lines.append(f"read -rs {secret_name} && export {secret_name}")
        note = "In the shell that starts number-wizard (the secret is typed, not shown):"
    return [note, *lines]
