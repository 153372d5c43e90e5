"""The wheel carries everything `syncd` needs: installed into a fresh virtualenv,
`syncd demo` runs from an empty directory with the shipped model."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_the_demo_from_an_empty_directory(tmp_path: Path) -> None:
    # Build from a copy of the sources, so the build leaves nothing in the repository.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src)
    for pkg in ("syncd", "connectors"):
        shutil.copytree(
            ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    dist = tmp_path / "dist"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(dist),
            str(src),
        ],
        cwd=tmp_path,
    )
    [wheel] = dist.glob("syncd-*.whl")

    # A fresh venv gets the wheel only; its dependencies come from this
    # environment's site-packages (a path entry, so the editable syncd here is
    # not visible to it).
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        cwd=tmp_path,
    )
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp_path,
        ).stdout.strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SYNCD_CONFIG")}
    where = _run(
        [str(python), "-c", "import syncd.modelfile as m; print(m.SHIPPED_DIR)"], cwd=empty, env=env
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    done = _run([str(venv / "bin" / "syncd"), "demo", "--contacts", "40"], cwd=empty, env=env)
    assert "demo finished" in done.stdout, done.stdout + done.stderr
    assert not any(empty.iterdir())
