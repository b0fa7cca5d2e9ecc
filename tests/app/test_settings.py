"""Settings: every variable has a default, and a bad value stops start-up with one line naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.config.settings import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_need_no_configuration() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.llm_mode == "mock"
    assert s.openai_model == "gpt-4o-mini"
    assert s.ops_worker_count == 3
    assert s.sched_bizdev_interval_minutes == 30
    assert s.sched_onboarding_interval_minutes == 10
    assert s.sched_ops_interval_seconds == 120
    assert s.sched_billing_interval_minutes == 720
    assert s.database_url is None and s.hoss_data_dir == Path(".data")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("OPS_WORKER_COUNT", "three"), ("SCHED_BIZDEV_INTERVAL_MINUTES", "-5"), ("OPS_MAX_ATTEMPTS", "0"),
     ("BIZDEV_SMTP_PORT", "99999"), ("OPS_DAILY_BUDGET_CENTS", "-1"), ("HOSS_LOG_LEVEL", "LOUD"),
     ("HOSS_SECRET_KEY", "too-short")],
)
def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as err:
        load_settings(_env_file=None)
    message = str(err.value)
    assert variable in message
    assert "\n" not in message


def test_empty_strings_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "")
    monkeypatch.setenv("DATABASE_URL", "")
    s = load_settings(_env_file=None)
    assert s.openai_api_key is None and s.database_url is None and s.llm_mode == "mock"


def test_secrets_are_masked_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    s = load_settings(_env_file=None)
    assert "sk-very-secret" not in repr(s)
    assert s.secret("openai_api_key") == "sk-very-secret"
    assert s.llm_mode == "openai"


def test_cli_bad_value_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "OPS_WORKER_COUNT": "lots", "HOSS_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "core", "migrate"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "OPS_WORKER_COUNT" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    proc = subprocess.run([sys.executable, "-m", "core", "migrate"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "DATABASE_URL" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    from core.config.settings import settings_table

    assert settings_table() in readme, "README's configuration table is stale: paste core.config.settings.settings_table()"
