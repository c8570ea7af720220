"""docker-compose.yml is valid and has the services scaled mode needs."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import REPO


def _compose() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_config_is_valid() -> None:
    compose = _compose()
    if compose is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    run = subprocess.run(
        [*compose, "-f", str(REPO / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    services = subprocess.run(
        [*compose, "-f", str(REPO / "docker-compose.yml"), "config", "--services"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    assert set(services) == {"db", "migrate", "worker", "digest", "web"}
    config = run.stdout
    assert "pg_isready" in config, "db has a healthcheck"
    assert "replicas: 3" in config
    assert "service_completed_successfully" in config, "workers wait for the migration"
