"""Fixtures of the cloud tests: `fake_cloud`, a started FakeCloud (rate limit 10/s per
operation), stopped after; `cloud_env`, an environment pointing the console at it
(`cloud_environ` sets it in this process); and `cli`, which runs
`renewals --db <temp>/cloud.db ARGS` in that environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tui.cli import main

from .fake_cloud import FakeCloud


@pytest.fixture
def fake_cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCloud]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with FakeCloud() as fake:
        yield fake


@pytest.fixture
def cloud_env(fake_cloud: FakeCloud, tmp_path: Path) -> dict[str, str | None]:
    return {"HUAWEICLOUD_SDK_AK": "AK-TEST", "HUAWEICLOUD_SDK_SK": "SK-TEST",
            "HUAWEICLOUD_SDK_DOMAIN_ID": None, "HUAWEICLOUD_SDK_PROJECT_ID": None,
            "HUAWEICLOUD_SDK_SECURITY_TOKEN": None,
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
            "RENEWALS_BSS_ENDPOINT": fake_cloud.url, "RENEWALS_MODELARTS_ENDPOINT": fake_cloud.url,
            "RENEWALS_DB": None, "RENEWALS_NOW": None, "RENEWALS_CLOUD_TIMEOUT": None}


@pytest.fixture
def cloud_environ(cloud_env, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's environment pointed at the fake (for a Store used in the test)."""
    for name, value in cloud_env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


@pytest.fixture
def cli(cloud_env, tmp_path):
    def run(*args: str, env: dict | None = None, db: Path | None = None) -> Result:
        runner = CliRunner(env={**cloud_env, **(env or {})})
        return runner.invoke(main, ["--db", str(db or tmp_path / "cloud.db"), *args])
    return run
