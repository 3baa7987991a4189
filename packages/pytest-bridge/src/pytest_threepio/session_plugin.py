"""Named in ``PYTEST_PLUGINS`` by ``threepio run``, which lends this package on ``PYTHONPATH``: it
registers the plugin for every pytest the command starts, unless the environment has it installed
(then its entry point is loaded already, and registering it twice would be an error). Like the
plugin's hooks, it never raises into pytest: trouble is one warning, and the run goes on."""

from __future__ import annotations

import sys

import pytest


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if pluginmanager.has_plugin("threepio"):
        return
    try:
        from pytest_threepio import plugin

        pluginmanager.register(plugin, "threepio")
    except Exception as err:
        sys.stderr.write(f"threepio: warning: not recording this pytest run: {err!r}\n")
