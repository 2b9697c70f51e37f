"""`python app.py` refuses bad settings in a line each, before loading anything (a worker that cannot start for
other reasons: tests/test_workers.py)."""

from __future__ import annotations

import pytest

import app


def test_bad_settings_are_named_and_the_app_exits_2(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ZST_WEB__ANSWER_TIMEOUT_S", "-1")
    monkeypatch.setenv("ZST_WEB__WORKERS", "several")
    assert app.main(["--workers", "2"]) == 2
    said = capsys.readouterr().err.strip().splitlines()
    assert said[0].startswith("error: setting ZST_WEB__") and len(said) == 2
    assert any("ZST_WEB__ANSWER_TIMEOUT_S: Input should be greater than 0" in line for line in said)
    assert any(line.startswith("error: setting ZST_WEB__WORKERS: ") for line in said)
    assert "several" not in "\n".join(said)  # values are not echoed: one may be a secret
