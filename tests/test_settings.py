"""Settings: every one is documented in the README with its variable name."""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    variable = f"`BACKCHANNEL_{name.upper()}`"
    # the README's table holds every installation's settings; docs/deployment.md a server's
    text = README.read_text() + (README.parent / "docs" / "deployment.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith(f"| {variable}")]
    assert rows, f"neither README's nor docs/deployment.md's settings table lists {variable}"
    assert rows[0].count("|") >= 4, f"{variable} row needs a default and a meaning"


def test_every_setting_has_a_description() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BACKCHANNEL_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'cases.sqlite'}"
    assert settings.resolved_key_file == tmp_path / "keyring.json"
    monkeypatch.setenv("BACKCHANNEL_DATABASE_URL", "postgresql://db.example/cases")
    assert Settings().resolved_database_url == "postgresql://db.example/cases"


def test_web_lists_and_numbers_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKCHANNEL_WEB_ALLOWED_HOSTS", '["cases.example.org", "*.example.net"]')
    monkeypatch.setenv("BACKCHANNEL_WEB_WORKERS", "4")
    settings = Settings()
    assert settings.web_allowed_hosts == ["cases.example.org", "*.example.net"]
    assert settings.web_workers == 4
    monkeypatch.setenv("BACKCHANNEL_WEB_WORKERS", "0")
    with pytest.raises(ValueError, match="web_workers"):
        Settings()


def test_quick_start_is_exactly_the_two_commands() -> None:
    text = README.read_text()
    section = text.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert section.split() == ["make", "demo", "make", "test"]
