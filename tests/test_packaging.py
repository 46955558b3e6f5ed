"""The installed package (as Docker installs it) carries its content, prompts and migrations."""

import os
import re
import subprocess
import sys
import time
import tomllib
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_content_prompts_and_migrations(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("seminarbot-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "seminarbot/_data/content/glossary.yaml" in names
    assert "seminarbot/_data/content/plan.yaml" in names
    assert "seminarbot/_data/content/texts/priestland-2002.yaml" in names
    assert any(n.startswith("seminarbot/_data/prompts/") for n in names)
    migrations = ROOT / "src" / "seminarbot" / "storage" / "migrations"
    assert {f"seminarbot/storage/migrations/{m.name}" for m in migrations.glob("*.sql")} <= names
    assert not any("seeds" in n or (n.startswith("seminarbot/_data/") and n.endswith(".txt"))
                   for n in names)


def test_health_reads_the_heartbeat(tmp_path: Path) -> None:
    env = {**os.environ, "SEMINARBOT_DATA_DIR": str(tmp_path)}
    env.pop("SEMINARBOT_CONFIG", None)

    def health() -> int:
        return subprocess.run([sys.executable, "-m", "seminarbot", "health", "--max-age", "60"],
                              env=env, capture_output=True, check=False).returncode

    assert health() == 1  # no heartbeat yet
    beat = tmp_path / "heartbeat"
    beat.touch()
    assert health() == 1  # names no platform: not a running bot's
    since = datetime.now(UTC).isoformat(timespec="seconds")  # one without a time: unhealthy
    beat.write_text(f'{{"platforms": {{"discord": {{"state": "connected", "since": "{since}"}}}}}}')
    assert health() == 0
    old = time.time() - 120
    os.utime(beat, (old, old))
    assert health() == 1


def test_docker_image_runs_as_non_root_with_a_data_volume_and_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--uid 10001 --gid 10001" in dockerfile
    assert dockerfile.rstrip().endswith("USER seminarbot")
    assert 'VOLUME ["/data"]' in dockerfile and "SEMINARBOT_DATA_DIR=/data" in dockerfile
    assert 'CMD ["seminarbot", "health"' in dockerfile
    assert 'ENTRYPOINT ["seminarbot"]\nCMD ["run"]' in dockerfile
    # Two stages: the wheel is built with the locked build backend, and the image that runs
    # installs the locked dependencies and the wheel alone (no build backend in it).
    build, runtime = dockerfile.rsplit("\nFROM ", 1)
    assert "--require-hashes -r requirements-build.lock" in build
    assert "--require-hashes -r requirements.lock" in runtime
    assert "requirements-build.lock" not in runtime and "--no-deps" in runtime
    # helper-151: the base's own pip may be too old for the lock (Debian's 23.0.1 refuses a
    # package asking for another's extra under --require-hashes): a locked pip goes in first.
    assert runtime.index("-r requirements-pip.lock") < runtime.index("-r requirements.lock")
    assert list(pins("requirements-pip.lock")) == ["pip"]
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements-pip.lock" in makefile
    assert "-o requirements-pip.lock" in makefile and "--upgrade pip" not in makefile


def pins(lock: str) -> dict[str, str]:
    """Name → version of every pin in a uv-compiled lock file; each pin must carry hashes."""
    text = (ROOT / lock).read_text()
    found = re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)[^\n]*\\\n\s+--hash=sha256:", text,
                       flags=re.MULTILINE)
    assert len(found) == len(re.findall(r"^[A-Za-z0-9]", text, flags=re.MULTILINE)), lock
    return {canonicalize_name(name): version for name, version in found}


def test_the_lock_files_pin_what_pyproject_asks_for_and_agree() -> None:
    """`make lock` after any change to the requirements in pyproject.toml keeps this green."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime, test, build = (pins(f) for f in ("requirements.lock", "requirements-test.lock",
                                               "requirements-build.lock"))
    wanted = [(runtime, r) for r in project["project"]["dependencies"]]
    wanted += [(test, r) for r in project["project"]["optional-dependencies"]["test"]]
    wanted += [(build, r) for r in project["build-system"]["requires"]]
    for lock, line in wanted:
        requirement = Requirement(line)
        version = lock.get(canonicalize_name(requirement.name))
        assert version is not None and requirement.specifier.contains(version), (line, version)
    # The tests run against what ships, and one virtualenv holds the test and build locks.
    assert {name: test.get(name) for name in runtime} == runtime
    assert {name: test.get(name, version) for name, version in build.items()} == build
