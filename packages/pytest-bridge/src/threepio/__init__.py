"""threepio for pytest: ``pytest -p threepio`` writes a durable, streaming record of the run.

The plugin itself lives in :mod:`threepio.plugin`; loading this module registers its hooks.
"""

from threepio.plugin import (  # noqa: F401  (pytest finds the hooks on this module)
    pytest_addoption,
    pytest_configure,
)

__all__ = ["pytest_addoption", "pytest_configure"]
