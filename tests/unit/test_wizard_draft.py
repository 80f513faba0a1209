"""The wizard's UI-free helpers."""

import pytest

from tui.wizard.draft import preferred_country


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "en_GB.UTF-8"}, "GB"),
        ({"LC_ALL": "de_DE@euro", "LANG": "en_GB.UTF-8"}, "DE"),  # LC_ALL wins
        ({"LC_ALL": "en_US.UTF-8", "LANG": "en_GB.UTF-8"}, "AU"),  # US sells none: the first offered
        ({"LANG": "C.UTF-8"}, "AU"),
        ({}, "AU"),
    ],
)
def test_the_locale_picks_the_first_country_to_search(env, expected):
    assert preferred_country(env, ["AU", "DE", "GB"]) == expected


def test_nothing_offered_means_no_country():
    assert preferred_country({"LANG": "en_GB.UTF-8"}, []) is None
