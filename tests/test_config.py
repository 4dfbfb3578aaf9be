"""Settings precedence: defaults -> config file -> environment -> CLI flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from dw_simulator.config import Settings, load_settings


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DW_SIM_DATA_ROOT")
    assert load_settings().query_row_limit == 1000  # default
    config = tmp_path / "config" / "default.yml"
    config.parent.mkdir()
    config.write_text("query_row_limit: 50\nbatch_size: 5000\ndata_root: /tmp/from-file\n")
    assert load_settings().query_row_limit == 50  # config/default.yml in the working directory
    assert load_settings().data_root == Path("/tmp/from-file")
    monkeypatch.setenv("DW_SIM_QUERY_ROW_LIMIT", "70")
    settings = load_settings()
    assert settings.query_row_limit == 70 and settings.batch_size == 5000  # env beats file, file beats default
    assert load_settings(query_row_limit=90).query_row_limit == 90  # flags beat env


def test_config_path_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "elsewhere.yml"
    other.write_text("log_level: DEBUG\n")
    monkeypatch.setenv("DW_SIM_CONFIG", str(other))
    assert load_settings().log_level == "DEBUG"


def test_dotenv_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DW_SIM_BATCH_SIZE=12345\n")
    assert Settings().batch_size == 12345


def test_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DW_SIM_QUERY_ROW_LIMIT", "lots")
    with pytest.raises(Exception, match="query_row_limit"):
        load_settings()


def test_default_data_root_is_per_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DW_SIM_DATA_ROOT")
    assert "dw-sim" in str(Settings().data_root)
