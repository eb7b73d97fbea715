"""The monitoring compiler's layout (issue 16): one module per target on shared modules.

Each module must import first, alone, in a fresh interpreter: with an import circle one of
them fails part-way (a name not yet defined in the module it imports back). And the
package itself stays light, so `import sladsl.monitoring` does not load the compiler.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p.stem for p in (ROOT / "sladsl" / "monitoring").glob("*.py") if p.stem != "__init__")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)


def test_every_target_has_its_module() -> None:
    assert {"common", "prometheus", "kubernetes", "openslo", "grafana"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_first_and_alone(module: str) -> None:
    result = _python(f"import sladsl.monitoring.{module}")
    assert result.returncode == 0, result.stderr


def test_the_package_does_not_load_the_compiler() -> None:
    result = _python(
        "import sys, sladsl.monitoring\nprint(sorted(m for m in sys.modules if m.startswith('sladsl.monitoring.')))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
