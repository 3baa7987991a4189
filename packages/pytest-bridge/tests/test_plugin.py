"""The plugin on real pytest runs (pytester subprocesses): events, counts, logs and summaries."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading

import pytest
from conftest import Run, threepio_as_junit

from pytest_threepio import package_version


def expect_counts_match_junit(run: Run) -> None:
    assert threepio_as_junit(run.summary) == run.junit


def test_outcomes_of_every_kind(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(
        test_kinds="""
        import pytest

        def test_passes():
            print("hello from a passing test")

        def test_fails():
            assert 1 + 1 == 3

        @pytest.mark.skip(reason="not today")
        def test_skipped():
            pass

        @pytest.mark.skipif(True, reason="never here")
        def test_skipif():
            pass

        @pytest.mark.xfail(reason="known bug")
        def test_xfail():
            assert False

        @pytest.mark.xfail(reason="fixed already")
        def test_xpass():
            pass

        @pytest.mark.xfail(strict=True, reason="must fail")
        def test_strict_xpass():
            pass
        """
    )
    run = run_threepio()
    assert run.result.ret == 1
    statuses = {e["test"]["name"]: e["status"] for e in run.of("test-end")}
    assert statuses == {
        "test_passes": "passed",
        "test_fails": "failed",
        "test_skipped": "skipped",
        "test_skipif": "skipped",
        "test_xfail": "xfailed",
        "test_xpass": "xpassed",
        "test_strict_xpass": "failed",
    }
    failed = next(e for e in run.of("test-end") if e["test"]["name"] == "test_fails")
    assert "== 3" in failed["error"]["message"]
    # The traceback as pytest prints it, its first line indented like the others.
    assert failed["error"]["stack"].startswith("    def test_fails():\n>   "), failed["error"]["stack"]
    assert run.of("run-end")[-1]["status"] == "failed"
    expect_counts_match_junit(run)
    out = [e for e in run.of("output") if e["testId"].endswith("test_passes")]
    assert [e["text"] for e in out] == ["hello from a passing test\n"]
    assert run.summary["status"] == "FAILED"
    assert "hello from a passing test" in run.log("test_kinds.py")


def test_setup_and_teardown_errors_and_fixture_output(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(
        test_fixtures="""
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError("setup exploded")

        @pytest.fixture
        def noisy():
            print("in setup")
            yield
            print("in teardown")

        @pytest.fixture
        def bad_teardown():
            yield
            raise RuntimeError("teardown exploded")

        def test_setup_error(broken):
            pass

        def test_noisy(noisy):
            print("in call")

        def test_teardown_error(bad_teardown):
            pass
        """
    )
    run = run_threepio()
    statuses = {e["test"]["name"]: e["status"] for e in run.of("test-end")}
    assert statuses == {"test_setup_error": "error", "test_noisy": "passed", "test_teardown_error": "error"}
    assert "teardown exploded" in run.log("test_fixtures.py")
    noisy = [e["text"] for e in run.of("output") if e["testId"].endswith("test_noisy")]
    assert noisy == ["in setup\n", "in call\n", "in teardown\n"]  # each once, in order
    expect_counts_match_junit(run)


def test_collection_error_and_file_ends(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(test_good="def test_ok():\n    pass\n", test_broken="import does_not_exist\n")
    pytester.makepyfile(test_syntax="def test_x(:\n    pass\n")
    run = run_threepio()
    assert run.result.ret == 2  # collection errors stop pytest before running tests
    ends = {e["file"]: e for e in run.of("file-end")}
    assert ends["test_broken.py"]["failedToLoad"] is True
    assert "does_not_exist" in ends["test_broken.py"]["error"]["message"] + ends["test_broken.py"]["error"].get("stack", "")
    assert ends["test_syntax.py"]["failedToLoad"] is True
    starts = [e["file"] for e in run.of("file-start")]
    assert len(starts) == len(set(starts))
    files = {f["file"]: f["status"] for f in run.summary["fileList"]}
    assert files == {"test_broken.py": "error", "test_syntax.py": "error"}
    assert "2 of 2 files failed (2 failed to load)" in run.summary["headline"]
    reason = "pytest stopped after 2 collection error(s), before running any test; --continue-on-collection-errors runs the tests that were collected"
    assert run.of("run-end")[-1]["reason"] == reason
    assert f"- Reason: {reason}" in (run.run_dir / "test-run.md").read_text("utf-8")
    expect_counts_match_junit(run)


def test_the_command_is_as_typed(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(test_x="def test_ok():\n    pass\n")
    run = run_threepio("-k", "ok or not slow")
    argv = run.of("run-start")[0]["argv"]
    if sys.version_info >= (3, 10):  # sys.orig_argv
        assert "-mpytest" in argv or argv[argv.index("-m") + 1] == "pytest", argv  # not …/pytest/__main__.py
    assert argv[-2:] == ["-k", "ok or not slow"]


def test_empty_suite_exit_5(pytester: pytest.Pytester, run_threepio) -> None:
    run = run_threepio()
    assert run.result.ret == 5
    end = run.of("run-end")[-1]
    assert end["status"] == "passed" and run.summary["counts"]["total"] == 0
    assert "no tests" in end["reason"]
    # The output directory keeps itself out of git; runs/latest is the newest run directory.
    out = run.run_dir.parent.parent
    assert (out / ".gitignore").read_text("utf-8").endswith("\n*\n")
    assert (out / "runs" / "latest").resolve() == run.run_dir.resolve()


def test_parametrized_unicode_ids_and_nested_classes(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(
        test_names="""
        import pytest

        class TestOuter:
            class TestInner:
                @pytest.mark.parametrize("word", ["héllo", "日本", "a/b", "../x"])
                def test_word(self, word):
                    assert word
        """
    )
    run = run_threepio()
    ends = run.of("test-end")
    assert len(ends) == 4 and len({e["test"]["id"] for e in ends}) == 4
    assert all(e["test"]["suite"] == ["TestOuter", "TestInner"] for e in ends)
    # pytest escapes non-ASCII ids by default; the names are whatever pytest calls the tests.
    assert {e["test"]["name"] for e in ends} == {"test_word[h\\xe9llo]", "test_word[\\u65e5\\u672c]", "test_word[a/b]", "test_word[../x]"}
    expect_counts_match_junit(run)


def test_capture_disabled(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(test_s="def test_prints():\n    print('straight to the terminal')\n")
    run = run_threepio("-s")
    assert run.of("test-end")[0]["status"] == "passed"
    assert "straight to the terminal" in run.result.stdout.str()
    assert run.of("output") == []  # pytest captured nothing to hand over


def test_capture_sys(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(test_sys="import sys\n\ndef test_prints():\n    print('to stdout')\n    sys.stderr.write('to stderr\\n')\n")
    run = run_threepio("--capture=sys")
    outputs = [(e["stream"], e["text"]) for e in run.of("output")]
    assert outputs == [("stdout", "to stdout\n"), ("stderr", "to stderr\n")]


def test_xdist_with_a_worker_that_dies(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(
        test_a="\n".join(f"def test_a{i}():\n    print('a{i}')\n" for i in range(10)),
        test_b="import os\n\ndef test_b0():\n    pass\n\ndef test_dies():\n    os._exit(3)\n\ndef test_b2():\n    pass\n",
    )
    run = run_threepio("-n", "2")
    ids = [e["test"]["id"] for e in run.of("test-end")]
    assert len(ids) == len(set(ids)) == 13  # no test lost or reported twice
    dead = next(e for e in run.of("test-end") if e["test"]["name"] == "test_dies")
    assert dead["status"] == "error"
    assert "crashed" in dead["error"]["message"] + dead["error"].get("stack", "")
    assert sorted(e["file"] for e in run.of("file-start")) == ["test_a.py", "test_b.py"]
    assert sorted(e["file"] for e in run.of("file-end")) == ["test_a.py", "test_b.py"]
    expect_counts_match_junit(run)


def test_rerunfailures_attempts(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(
        test_flaky="""
        import pytest
        calls = []

        @pytest.mark.flaky(reruns=2)
        def test_flaky():
            calls.append(1)
            assert len(calls) == 3
        """
    )
    run = run_threepio()
    ends = run.of("test-end")
    assert [(e["status"], e.get("attempt", 0)) for e in ends] == [("failed", 0), ("failed", 1), ("passed", 2)]
    assert run.summary["flaky"] == 1
    assert run.summary["counts"]["passed"] == 1


def test_keyboard_interrupt(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(test_ki="def test_one():\n    pass\n\ndef test_stop():\n    raise KeyboardInterrupt\n\ndef test_never():\n    pass\n")
    run = run_threepio()
    assert run.result.ret == 2
    assert run.of("run-end")[-1]["status"] == "interrupted"
    assert run.summary["status"] == "INTERRUPTED"


def _comparable(text: str) -> list[str]:
    """pytest's output without what differs between two runs anyway (timings, the plugin list)."""
    return [re.sub(r"in [0-9.]+s", "in T", line) for line in text.splitlines() if not line.startswith("plugins:")]


def test_installed_but_not_asked_for_changes_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_ok():\n    print('hi')\n\ndef test_bad():\n    assert 0\n")
    asked_not = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    blocked = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:threepio")
    assert asked_not.ret == blocked.ret == 1
    assert _comparable(asked_not.stdout.str()) == _comparable(blocked.stdout.str())
    assert asked_not.stderr.str() == blocked.stderr.str() == ""
    assert not (pytester.path / ".3pio").exists()


def test_output_with_threepio_equals_output_without_apart_from_the_closing_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_out="import sys\n\ndef test_ok():\n    print('out')\n    sys.stderr.write('err\\n')\n\ndef test_bad():\n    assert 0\n")
    out = pytester.path / ".3pio"
    on = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "threepio", "--threepio-dir", str(out), "-rA")
    off = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:threepio", "-rA")
    assert on.ret == off.ret == 1
    assert _comparable(on.stdout.str()) == _comparable(off.stdout.str())
    assert on.stderr.lines[:-1] == off.stderr.lines
    assert on.stderr.lines[-1].startswith("threepio: FAILED · 1 failed, 1 passed · ")
    assert "ResourceWarning" not in on.stdout.str() + on.stderr.str()


@pytest.mark.parametrize(
    ("args", "env", "ini", "named"),
    [
        (["--threepio-keep-runs", "-1"], {}, "", "keepRuns (--threepio-keep-runs)"),
        ([], {"THREEPIO_KEEP_RUNS": "abc"}, "", "keepRuns (THREEPIO_KEEP_RUNS)"),
        ([], {"THREEPIO_KEEP_RUNS": "²"}, "", "keepRuns (THREEPIO_KEEP_RUNS)"),
        ([], {"THREEPIO_KEEP_RUNS": "9" * 10_000}, "", "keepRuns (THREEPIO_KEEP_RUNS)"),
        ([], {}, "threepio_keep_runs = many", "keepRuns (the ini key threepio_keep_runs)"),
        ([], {"THREEPIO_QUIET": "maybe"}, "", "quiet (THREEPIO_QUIET)"),
        ([], {}, "threepio_quiet = sometimes", "quiet (the ini key threepio_quiet)"),
        ([], {"THREEPIO_SIDECAR_TIMEOUT": "soon"}, "", "THREEPIO_SIDECAR_TIMEOUT"),
    ],
)
def test_bad_option_values_warn_once_and_change_nothing_else(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str], ini: str, named: str) -> None:
    pytester.makepyfile(test_x="def test_ok():\n    pass\n")
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = pytester.path / ".3pio"
    result = pytester.runpytest_subprocess("-p", "threepio", "-p", "no:cacheprovider", "--threepio-dir", str(out), *args)
    assert result.ret == 0
    warnings = [line for line in result.stderr.lines if line.startswith("threepio: warning:")]
    assert len(warnings) == 1 and named in warnings[0], result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    run_dir = out / "runs" / (out / "latest").read_text().strip()
    assert json.loads((run_dir / "run.json").read_text())["status"] == "PASSED"
    assert result.stderr.lines[-1].startswith("threepio: PASSED · 1 passed")


def test_without_node_the_events_are_complete_and_the_line_says_so(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_x="import pytest\n\ndef test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n\n@pytest.mark.flaky(reruns=1)\ndef test_again():\n    assert 0\n")
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable))
    monkeypatch.delenv("THREEPIO_NODE", raising=False)
    out = pytester.path / ".3pio"
    result = pytester.runpytest_subprocess("-p", "threepio", "-p", "no:cacheprovider", "--threepio-dir", str(out))
    assert result.ret == 1
    line = result.stderr.lines[-1]
    # The counts, as the log writer would say them (a rerun attempt is not a test).
    assert line.startswith("threepio: FAILED · 2 failed, 1 passed · ") and "logs and summary not written: Node.js was not found" in line, line
    assert "test-run.md" not in line and "-m pytest_threepio report" in line
    run_dir = out / "runs" / (out / "latest").read_text().strip()
    events = [json.loads(x) for x in (run_dir / "events.jsonl").read_text().splitlines()]
    assert events[-1]["type"] == "run-end" and not (run_dir / "test-run.md").exists()


def test_python_command_runs_the_log_writer(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(test_x="def test_ok():\n    pass\n")
    run = run_threepio()
    out = run.run_dir.parent.parent
    listed = subprocess.run([sys.executable, "-m", "pytest_threepio", "ls", "--dir", str(out)], capture_output=True, text=True, check=False)
    assert listed.returncode == 0 and run.run_dir.name in listed.stdout and "PASSED" in listed.stdout
    (run.run_dir / "test-run.md").unlink()
    report = subprocess.run([sys.executable, "-m", "pytest_threepio", "report", str(run.run_dir)], capture_output=True, text=True, check=False)
    assert report.returncode == 0 and (run.run_dir / "test-run.md").exists()
    usage = subprocess.run([sys.executable, "-m", "pytest_threepio", "help"], capture_output=True, text=True, check=False)
    assert usage.returncode == 0 and "-m pytest_threepio <command>" in usage.stdout, usage.stdout
    # The bundled log writer reports the one version of every package (the wheel's own).
    version = subprocess.run([sys.executable, "-m", "pytest_threepio", "--version"], capture_output=True, text=True, check=False)
    assert version.returncode == 0 and version.stdout.strip() == package_version().split("+")[0], version.stdout


@pytest.mark.skipif(int(pytest.__version__.split(".")[0]) < 9, reason="subtests are built into pytest 9")
@pytest.mark.parametrize("args", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_subtests_are_tests_of_their_own(pytester: pytest.Pytester, run_threepio, args: list[str]) -> None:
    pytester.makepyfile(
        test_sub="""
        def test_with_subtests(subtests):
            for i in range(3):
                with subtests.test(msg="check", i=i, word="w"):
                    print(f"subtest {i}")
                    assert i != 1
        """
    )
    run = run_threepio(*args)
    ends = {e["test"]["name"]: e["status"] for e in run.of("test-end")}
    # Named as pytest prints them: `SUBFAILED[check] test_sub.py::test_with_subtests (i=1, word='w')`.
    assert ends == {
        "test_with_subtests [check] (i=0, word='w')": "passed",
        "test_with_subtests [check] (i=1, word='w')": "failed",
        "test_with_subtests [check] (i=2, word='w')": "passed",
        "test_with_subtests": "failed",
    }
    # A subtest is rerun by its test, the node id pytest accepts.
    reruns = {f["test"]: f["rerun"] for f in run.summary["failures"]}
    assert reruns["test_with_subtests [check] (i=1, word='w')"] == "pytest test_sub.py::test_with_subtests"
    # The failure's line is the assert, not the def.
    lines = {f["test"]: f["line"] for f in run.summary["failures"]}
    assert lines["test_with_subtests [check] (i=1, word='w')"] == 5
    # pytest: "2 failed, 2 subtests passed"
    assert run.summary["counts"]["failed"] == 2 and run.summary["counts"]["passed"] == 2
    assert len(run.of("file-end")) == 1


def test_teardown_errors_skip_reasons_and_module_skips(pytester: pytest.Pytester, run_threepio) -> None:
    pytester.makepyfile(
        test_td="""
        import pytest

        @pytest.fixture
        def broken():
            yield
            raise RuntimeError("teardown broke")

        def test_fail_then_teardown(broken):
            assert 1 == 2

        @pytest.mark.skip(reason="not on CI")
        def test_skip():
            pass

        @pytest.mark.xfail(reason="known bug")
        def test_xfail():
            assert 0

        @pytest.mark.parametrize("x", ["a::b", "c[d]"])
        def test_ids(x):
            pass
        """,
        test_numpy="import pytest\nnp = pytest.importorskip('numpy_not_installed_here')\n\ndef test_np():\n    pass\n",
        test_modskip="import pytest\npytest.skip('whole module off', allow_module_level=True)\n",
    )
    run = run_threepio("-o", "junit_family=xunit1")
    ends = {e["test"]["name"]: e for e in run.of("test-end")}
    td = ends["test_fail_then_teardown"]
    assert td["status"] == "failed" and "teardown broke" in td["teardownError"]["message"] + td["teardownError"].get("stack", "")
    assert ends["test_skip"]["reason"] == "not on CI"
    assert ends["test_xfail"]["reason"] == "known bug"
    assert {e["test"]["name"]: e["test"]["suite"] for e in run.of("test-end") if e["test"]["name"].startswith("test_ids")} == {
        "test_ids[a::b]": [],
        "test_ids[c[d]]": [],
    }
    assert all(e["file"] == "test_td.py" for e in run.of("test-end"))
    skipped = {e["file"]: e.get("skipReason") for e in run.of("file-end") if "skipReason" in e}
    assert skipped["test_modskip.py"] == "whole module off"
    assert "numpy_not_installed_here" in skipped["test_numpy.py"]
    assert run.summary["teardownErrors"] == 1
    assert "teardown broke" in run.log("test_td.py") and "not on CI" in run.log("test_td.py")
    expect_counts_match_junit(run)


def test_pyargs_packages_with_the_same_relative_names(pytester: pytest.Pytester, run_threepio) -> None:
    for pkg in ("pkga", "pkgb"):
        pytester.mkpydir(pkg)
        pytester.mkpydir(f"{pkg}/x")
        (pytester.path / pkg / "x" / "test_m.py").write_text(f"def test_one():\n    pass\n\ndef test_two():\n    assert '{pkg}' == 'pkga'\n")
    run = run_threepio("--pyargs", "pkga.x", "pkgb.x", "-p", "no:cacheprovider")
    files = sorted(f["file"] for f in run.summary["fileList"])
    assert files == ["pkga/x/test_m.py", "pkgb/x/test_m.py"]
    assert run.summary["counts"]["total"] == 4 and run.summary["counts"]["failed"] == 1
    expect_counts_match_junit(run)


@pytest.mark.parametrize("args", [[], ["-n", "2"], ["--reruns", "1"]], ids=["serial", "xdist", "reruns"])
def test_tests_whose_node_ids_repeat_are_kept_apart(pytester: pytest.Pytester, run_threepio, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """pytest shortens node ids relative to its arguments: from a folder outside the packages,
    ``--pyargs pkga pkgb`` gives two different tests the node id ``test_same.py::test_one``."""
    lib = pytester.mkdir("lib")
    for pkg, body in (("pkga", "pass"), ("pkgb", "assert 'pkgb' == 'pkga'")):
        (lib / pkg).mkdir()
        (lib / pkg / "__init__.py").write_text("")
        (lib / pkg / "test_same.py").write_text(f"def test_one():\n    {body}\n\n\ndef test_two():\n    pass\n")
    work = pytester.mkdir("work")
    monkeypatch.chdir(work)
    monkeypatch.setenv("PYTHONPATH", str(lib))
    run = run_threepio("--rootdir", str(work), "--pyargs", "pkga", "pkgb", "-p", "no:cacheprovider", *args)
    assert run.result.ret == 1, run.result.stdout.str()
    counts = run.summary["counts"]
    assert (counts["total"], counts["failed"], counts["passed"]) == (4, 1, 3)
    files = sorted(f["file"] for f in run.summary["fileList"])
    assert files == ["../lib/pkga/test_same.py", "../lib/pkgb/test_same.py"]
    last = {e["test"]["id"]: e for e in run.of("test-end")}
    assert len(last) == 4
    failure = run.summary["failures"][0]
    assert failure["file"] == "../lib/pkgb/test_same.py" and failure["line"] == 2
    assert failure["rerun"] == "pytest ../lib/pkgb/test_same.py::test_one"
    assert sorted(e["file"] for e in run.of("file-end")) == files
    if "--reruns" not in args:  # junitxml writes the failed attempt as a testcase of its own
        expect_counts_match_junit(run)


def test_signals_landing_inside_the_writer_never_tear_duplicate_or_reorder_lines(tmp_path) -> None:
    """Thousands of signals while the main thread emits: each handler records an event through
    run_when_safe, as the SIGTERM handler does. Every line whole, every seq once and in order."""
    from pytest_threepio.events import EventWriter

    path = tmp_path / "events.jsonl"
    writer = EventWriter(str(path))
    handled = 0

    arrived = threading.Event()

    def handler(signum: int, frame: object) -> None:
        nonlocal handled
        handled += 1
        writer.run_when_safe(lambda: writer.emit({"type": "diagnostic", "level": "warn", "message": "from a signal"}))
        arrived.set()

    previous = signal.signal(signal.SIGUSR1, handler)
    done = threading.Event()
    # Switch threads often, so the signals land all over the writer's code, not at a few points.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.00005)

    def hammer() -> None:
        # The next signal once the last one was handled: signals sent faster would coalesce.
        for _ in range(2000):
            arrived.clear()
            os.kill(os.getpid(), signal.SIGUSR1)
            if not arrived.wait(timeout=10):
                return

    thread = threading.Thread(target=hammer)
    try:
        thread.start()
        i = 0
        while thread.is_alive() or i < 50_000:
            writer.emit({"type": "output", "stream": "stdout", "text": f"line {i}\n"})
            if i % 100 == 0:
                writer.flush()
            i += 1
        done.set()
        thread.join()
    finally:
        signal.signal(signal.SIGUSR1, previous)
        sys.setswitchinterval(switch)
    writer.close()
    events = [json.loads(line) for line in path.read_bytes().decode("utf-8").splitlines()]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert sum(e["type"] == "diagnostic" for e in events) == handled
    assert [e["text"] for e in events if e["type"] == "output"] == [f"line {n}\n" for n in range(i)]
    assert handled == 2000 and writer.deferrals > 100, (handled, writer.deferrals)


def test_ci_job_in_run_start(pytester: pytest.Pytester, run_threepio, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CI provider (ci-info's rules, from the shared facts), job and pytest-split shard."""
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("GITHUB_JOB", "unit")
    run = run_threepio()
    assert run.of("run-start")[0]["ci"] == {"name": "GitHub Actions", "job": "unit"}
    from pytest_threepio.ci import ci_of

    assert ci_of({"CI": "false", "GITHUB_ACTIONS": "true"}, []) is None
    assert ci_of({}, []) is None
    assert ci_of({"CI": "1"}, ["pytest", "--splits", "3", "--group", "2"]) == {"name": "CI", "shard": "2/3"}
    assert ci_of({"GITLAB_CI": "true", "CI_JOB_NAME": "test"}, ["--shard-id=0", "--num-shards=4"]) == {
        "name": "GitLab CI",
        "job": "test",
        "shard": "1/4",
    }


def test_the_periodic_fsync_runs_on_the_writer_thread_never_on_pytests(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Events written by the main thread are fsync'd within FSYNC_INTERVAL by the writer's own
    thread, so a test never waits on the disk; close() still fsyncs on the main thread."""
    from pytest_threepio import events as events_module

    synced_on: list[str] = []
    synced = threading.Event()
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced_on.append(threading.current_thread().name)
        real_fsync(fd)
        synced.set()

    monkeypatch.setattr(events_module, "FSYNC_INTERVAL", 0.0)
    monkeypatch.setattr(events_module.os, "fsync", fsync)
    writer = events_module.EventWriter(str(tmp_path / "events.jsonl"))
    for i in range(200):
        writer.emit_json("output", f'"stream":"stdout","text":"line {i}\\n"', flush=True)
    assert synced.wait(timeout=10), "no periodic fsync"
    assert set(synced_on) == {"threepio-writer"}, synced_on
    writer.close()
    assert synced_on[-1] == threading.current_thread().name
    lines = (tmp_path / "events.jsonl").read_bytes().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == list(range(1, 201))


def test_a_simulated_hang_waits_the_shared_time_then_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """THREEPIO_SIMULATE_FAULT=HANG@1+1: the second write waits as long as the log writer's
    simulated hang (the shared facts' simulatedHangMs) and then succeeds; the others do not wait."""
    from pytest_threepio import events as events_module
    from pytest_threepio._shared import SHARED

    slept: list[float] = []
    monkeypatch.setattr(events_module.time, "sleep", slept.append)
    gate = events_module.FaultGate("HANG@1+1")
    for _ in range(4):
        gate.check()
    assert slept == [SHARED["simulatedHangMs"] / 1000]
    with pytest.raises(ValueError, match="CODE"):
        events_module.FaultGate("HANGS")
