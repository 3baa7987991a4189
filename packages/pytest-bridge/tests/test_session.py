"""Under ``threepio run``: a session in the environment makes every pytest run record, and each
run joins the session's list of runs."""

from __future__ import annotations

import pytest

from pytest_threepio._shared import SESSION_ENV, SESSION_RUNS


def test_a_session_records_a_run_that_did_not_ask(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    session = pytester.path / "session"
    session.mkdir()
    monkeypatch.setenv(SESSION_ENV["dir"], str(session))
    pytester.makepyfile(test_one="def test_passes():\n    pass\n")
    out = pytester.path / ".3pio"
    result = pytester.runpytest_subprocess("--threepio-dir", str(out))
    assert result.ret == 0
    run_id = (out / "latest").read_text().strip()
    assert (session / SESSION_RUNS).read_text("utf-8") == f"{out / 'runs' / run_id}\n"
    assert any(line.startswith("threepio: PASSED") for line in result.errlines)


def test_without_a_session_nothing_is_recorded(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SESSION_ENV["dir"], raising=False)
    pytester.makepyfile(test_one="def test_passes():\n    pass\n")
    out = pytester.path / ".3pio"
    result = pytester.runpytest_subprocess("--threepio-dir", str(out))
    assert result.ret == 0
    assert not out.exists()
