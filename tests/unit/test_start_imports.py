"""What `number-wizard --help` and `buy --help` import: click, the field catalogue
and the rules, never the API client, the models, keyring or Textual (that is what
keeps them near a bare click program's start-up; scripts/bench.py measures it),
and what the wizard loads before its first frame.

Each runs in a fresh interpreter, which then lists its modules.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from tui.cli import COMMANDS, cli

# Whole packages (and their submodules) that --help must not load.
HEAVY = (
    "textual",
    "rich",
    "pydantic",
    "httpx",
    "keyring",
    "phonenumbers",
    "platformdirs",
    "asyncio",
    "tui.app",
    "tui.screens",
    "tui.sandbox",
    "tui.domain.purchase",
    "tui.domain.resources",
    "tui.domain.search",
    "tui.services.twilio",
    "tui.services.session",
    "tui.services.credentials.keyring_store",
    "tui.services.credentials.profiles",
)

PROGRAM = """
import json, sys
sys.argv = ["number-wizard", *sys.argv[1:]]
from tui.cli import main
try:
    main()
except SystemExit as stop:
    code = stop.code
loaded = sorted(name for name, module in sys.modules.items() if module is not None)
sys.stdout.write("\\n" + json.dumps({"code": code, "modules": loaded}))
"""


def modules_after(*arguments: str) -> tuple[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM, *arguments], capture_output=True, text=True, check=True
    )
    output, _, report = result.stdout.rpartition("\n")
    data = json.loads(report)
    assert data["code"] in (0, None), result.stderr
    return output, data["modules"]


def heavy_in(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


@pytest.mark.parametrize(
    "arguments",
    [
        ("--help",),
        ("-h",),
        ("buy", "--help"),
        ("numbers", "--help"),
        ("numbers", "update", "--help"),
        ("--version",),
    ],
)
def test_help_imports_nothing_heavy(arguments: tuple[str, ...]):
    output, modules = modules_after(*arguments)
    assert output.strip()
    assert heavy_in(modules) == []


def test_root_help_lists_every_command_without_importing_it():
    output, modules = modules_after("--help")
    for name in COMMANDS:
        assert f"  {name} " in output
    assert not [m for m in modules if m.startswith("tui.cli.") and m != "tui.cli.common"]


def test_buy_help_has_every_purchase_flag():
    from tui.domain.fields import PURCHASE_FIELDS

    output, _ = modules_after("buy", "--help")
    for spec in PURCHASE_FIELDS:
        assert spec.flag in output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_summary_is_the_commands_own(name: str):
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name
    listed = click.Command(name, help=COMMANDS[name][1])
    for limit in (40, 66, 200):
        assert listed.get_short_help_str(limit) == command.get_short_help_str(limit)


def test_root_help_reads_the_same_with_every_command_loaded():
    lazy_help, _ = modules_after("--help")
    context = click.Context(cli, info_name="number-wizard", **cli.context_settings)
    for name in COMMANDS:
        cli.get_command(context, name)  # now listed from the commands themselves
    assert set(COMMANDS) <= set(cli.commands)
    assert lazy_help.strip() == cli.get_help(context).strip()


# What only a purchase needs: a dry run checks and prints, it never sends.
PURCHASE_MACHINERY = (
    "tui.cli.buying",
    "tui.services.purchase",
    "tui.services.purchase_lock",
    "tui.services.receipts",
    "tui.services.signals",
)


def test_a_dry_run_loads_none_of_the_purchase_machinery(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    arguments = ("buy", "--sandbox", "--phone-number", "+31616953194", "--dry-run", "-o", "json")
    output, modules = modules_after(*arguments)
    assert json.loads(output)["form"] == {"PhoneNumber": "+31616953194"}
    # The compliance pre-checks did run, on the in-process sandbox.
    assert "tui.cli.pre_checks" in modules and "tui.wizard.compliance" in modules
    assert [m for m in modules if m in PURCHASE_MACHINERY] == []


FIRST_FRAME = """
import json, sys
import tui.cli, tui.app
from tui.screens import create_step_screen
create_step_screen("account")
print(json.dumps(sorted(name for name, module in sys.modules.items() if module is not None)))
"""

# What the wizard loads after its first frame (the Account step's thread).
AFTER_FIRST_FRAME = (
    "pydantic",
    "filelock",
    "httpx",
    "keyring",
    "phonenumbers",
    "tui.sandbox",
    "tui.domain.purchase",
    "tui.domain.resources",
    "tui.domain.search",
    "tui.services.twilio",
    "tui.services.credentials.profiles",
    "tui.services.credentials.keyring_store",
    "tui.screens.number",
    "tui.screens.review",
)


def test_the_wizard_draws_its_account_step_before_loading_the_client_models_or_keyring():
    result = subprocess.run([sys.executable, "-c", FIRST_FRAME], capture_output=True, text=True, check=True)
    modules = json.loads(result.stdout)
    loaded = [m for m in modules if any(m == h or m.startswith(h + ".") for h in AFTER_FIRST_FRAME)]
    assert loaded == []


def test_httpx_command_line_is_never_loaded():
    """`import httpx` would load its command line (click, rich, pygments) but for
    the stub `tui/__init__.py` puts in its place; the client still works."""
    program = (
        "import sys, tui, httpx; "
        "print(sys.modules.get('httpx._main') is None, 'pygments' in sys.modules, callable(httpx.Client))"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "False", "True"]
