"""The layers between and inside the audience packages are checked by import-linter's contracts
(pyproject.toml): the tree as it is keeps them, and a wrong import breaks them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--config", str(ROOT / "pyproject.toml")],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract"),
    [
        ("rules/outcomes.py", "import django.db", "are pure"),
        ("intake/models.py", "from screening.intake import page_views", "Intake: pages"),
        ("staff/roles.py", "from screening.casework import case_views", "Staff uses the other"),
    ],
)
def test_a_wrong_import_breaks_a_contract(tmp_path, module, wrong_import, contract):
    shutil.copytree(
        ROOT / "screening", tmp_path / "screening", ignore=shutil.ignore_patterns("__pycache__")
    )
    with (tmp_path / "screening" / module).open("a") as file:
        file.write(f"\n{wrong_import}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if "BROKEN" in line or contract in line]
    assert any(contract in line for line in broken), result.stdout[-3000:]
