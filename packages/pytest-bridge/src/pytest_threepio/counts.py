"""A run's tests by final status, in the log writer's words (``1 failed, 3 passed``), for the
closing line when there is no Node to run the log writer. The words are the log writer's
``formatTests``; ``test-vectors/count-words.json`` holds its answers, which the tests require here."""

from __future__ import annotations

from pytest_threepio._shared import SHARED

STATUSES: list[str] = SHARED["testStatuses"]


class TestCounts:
    """Each test's last attempt by status, and the teardown errors beside them."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.counts = dict.fromkeys(STATUSES, 0)
        self.teardown_errors = 0

    def add(self, status: str, teardown_error: bool = False) -> None:
        if status in self.counts:
            self.counts[status] += 1
        if teardown_error:
            self.teardown_errors += 1

    def words(self) -> str:
        parts = [f"{self.counts[s]} {s}" for s in STATUSES if self.counts[s] > 0]
        text = ", ".join(parts) if parts else "no tests"
        if self.teardown_errors:
            text += f", {self.teardown_errors} teardown error{'' if self.teardown_errors == 1 else 's'}"
        return text
