"""`check` reads the country codes `holidays` knows from its registry's text instead of importing
the package (35 ms, a sixth of `sladsl check`): the text must give exactly the imported codes,
and checking a sample with a holiday calendar must not import `holidays` at all."""

from __future__ import annotations

import subprocess
import sys

from ..conftest import ROOT


def test_the_registry_text_gives_the_codes_the_package_has() -> None:
    from holidays.registry import COUNTRIES

    from sladsl.language.checks.support import _holiday_countries

    _holiday_countries.cache_clear()
    assert _holiday_countries() == frozenset(code for entry in COUNTRIES.values() for code in entry[1:3])
    assert {"US", "DE", "GBR"} <= _holiday_countries() and "XX" not in _holiday_countries()


def test_checking_a_holiday_calendar_imports_no_holidays_module() -> None:
    code = (
        "import sys; from sladsl.api import check_source; "
        "text = open('samples/video-cdn.sla', encoding='utf-8').read(); "
        "assert 'holidays' in text; check_source(text); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'holidays'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
