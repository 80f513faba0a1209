"""The country-name table (tui/domain/country_names.py) against phonenumbers' own
geocoder, so that it cannot drift from the installed library silently.

The wizard names a number's country from that table instead of importing the
geocoder, which loads about 40 MB of geographic data. Here the geocoder is
imported on purpose: it is the reference.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType, geocoder

from tui.domain import rules
from tui.domain.country_names import COUNTRY_NAMES

ROOT = Path(__file__).resolve().parents[2]


def geocoder_name(number: phonenumbers.PhoneNumber) -> str:
    """What the wizard said before the table: the geocoder's name for the number,
    else its region's display name, else the region code."""
    region = phonenumbers.region_code_for_number(number)
    name = geocoder.country_name_for_number(number, "en")
    if not name and region:
        name = geocoder._region_display_name(region, "en")
    return name or region or "unknown country"


def example_numbers() -> list[phonenumbers.PhoneNumber]:
    """Phonenumbers' example numbers: every region's mobile, fixed-line and
    toll-free example and every non-geographic calling code's."""
    examples = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                examples.append(example)
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            examples.append(example)
    return examples


def test_every_region_has_the_geocoders_name():
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        assert COUNTRY_NAMES.get(region, "") == geocoder._region_display_name(region, "en"), region


def test_every_example_number_gets_the_geocoders_country_name():
    examples = example_numbers()
    assert len(examples) > 500
    for number in examples:
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert rules.phone_number_facts(e164).country_name == geocoder_name(number), e164


@pytest.mark.parametrize(
    ("e164", "country"),
    [
        ("+447400123456", "United Kingdom"),
        ("+441481960194", "Guernsey"),  # +44, valid only in Guernsey
        ("+12015550123", "United States"),
        ("+14165550123", "Canada"),
        ("+77012345678", "Kazakhstan"),  # +7, valid only in Kazakhstan
        ("+79161234567", "Russia"),
        ("+2250712345678", "Côte d'Ivoire"),
    ],
)
def test_shared_calling_codes_name_the_country_where_the_number_is_valid(e164: str, country: str):
    assert rules.phone_number_facts(e164).country_name == country


def test_the_committed_table_is_what_the_generator_writes():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_country_names.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
