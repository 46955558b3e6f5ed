"""The installed package (as Docker installs it) carries its content, prompts and migrations."""

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

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
    assert health() == 0
    old = time.time() - 120
    os.utime(beat, (old, old))
    assert health() == 1


def test_docker_image_runs_as_non_root_with_a_data_volume_and_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER seminarbot" in dockerfile
    assert 'VOLUME ["/data"]' in dockerfile and "SEMINARBOT_DATA_DIR=/data" in dockerfile
    assert 'CMD ["seminarbot", "health"' in dockerfile
    assert dockerfile.rstrip().endswith('CMD ["seminarbot", "run"]')
