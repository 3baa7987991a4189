"""Which test a pytest report is about, which file it belongs to, and when a file is done.

A test's identity is the item pytest ran, never a name that can repeat. pytest shortens node ids
relative to its arguments, so ``--pyargs pkga pkgb`` (or arguments outside rootdir) gives two
different tests one node id, ``test_same.py::test_one``. A node id that names one collected test
is that test's id, as pytest prints it and accepts it back; one that names several is made whole
with the item's path relative to rootdir (``../lib/pkgb/test_same.py::test_one``), which pytest
accepts too, from rootdir.

A file is done when all of its collected tests are. In the controller of an xdist run there are
no items, only node ids, so the tests are counted by the node id's file part, which a shortened
node id may share between files: such files end together, when all of that part's tests did.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from typing import Any, Callable


@functools.lru_cache(maxsize=256)
def split(nodeid: str) -> tuple[str, list[str], str]:
    """``tests/test_a.py::TestX::test_y[a::b]`` → node-id file part, suites, name.

    Parameter ids may hold ``::`` and ``[``: they start at the first ``[`` after the file part.
    """
    head, sep, rest = nodeid.partition("::")
    if not sep:
        return head, [], head
    bracket = rest.find("[")
    core, params = (rest[:bracket], rest[bracket:]) if bracket >= 0 else (rest, "")
    parts = core.split("::")
    return head, parts[:-1], parts[-1] + params


def posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


class Test:
    """One collected test: its id in events, its file, and the unit its progress counts in."""

    __slots__ = ("file", "id", "unit")

    def __init__(self, id: str, file: str, unit: str) -> None:
        self.id, self.file, self.unit = id, file, unit


class Identities:
    """Tests by (node id, location path), and how many tests each progress unit holds."""

    def __init__(self, rel: Callable[[Any], str]) -> None:
        self.rel = rel
        self.repeated: set[str] = set()  # node ids that name more than one collected test
        self.unique: dict[str, Test] = {}  # node id → test, where it names one collected test
        self.tests: dict[tuple[str, Any], Test] = {}  # (node id, location path) → test, else
        self.expected: dict[str, int] = {}  # progress unit → tests collected in it
        self.by_head = False  # xdist's controller: units are node-id file parts

    def collected(self, items: Iterable[Any]) -> None:
        """A serial run's items: each file is its own unit, known by the item's path."""
        items = list(items)
        self.repeated = _repeated(item.nodeid for item in items)
        for item in items:
            file = self.rel(item.path)
            nodeid = item.nodeid
            if nodeid in self.repeated:  # told apart by where the test is (pytest's location)
                self.tests[(nodeid, item.location[0])] = Test(self.id_for(nodeid, file), file, file)
            else:
                self.unique[nodeid] = Test(nodeid, file, file)
            self.expected[file] = self.expected.get(file, 0) + 1

    def collected_ids(self, ids: list[str]) -> None:
        """An xdist controller's node ids (each worker collects the same): counted by file part."""
        if self.expected:
            return
        self.by_head = True
        self.repeated = _repeated(ids)
        for nodeid in ids:
            head = split(nodeid)[0]
            self.expected[head] = self.expected.get(head, 0) + 1

    def of(self, nodeid: str, location: Any = None) -> Test:
        """The test a report or hook names: its node id and location (path, line, name)."""
        test = self.unique.get(nodeid)
        if test is not None:
            return test
        where = location[0] if location else None  # as pytest gives it: the key, not yet a file
        test = self.tests.get((nodeid, where))
        if test is None:
            # xdist, or an item pytest did not collect (a rerun): the report's location is its file.
            head = split(nodeid)[0]
            file = posix(str(where)) if where else head
            test = Test(self.id_for(nodeid, file), file, head if self.by_head else file)
            self.tests[(nodeid, where)] = test
        return test

    def id_for(self, nodeid: str, file: str) -> str:
        if nodeid not in self.repeated:
            return nodeid
        _, sep, rest = nodeid.partition("::")
        return f"{file}{sep}{rest}"


def _repeated(nodeids: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for nodeid in nodeids:
        (repeated if nodeid in seen else seen).add(nodeid)
    return repeated
