"""The results page stays light: at most 25 KB compressed and 150 KB raw with all it loads, all local.

Bytes are not noisy, so this is an ordinary test (the timing benchmarks live in tests/perf/ and are
run by hand). tests/perf/page_weight.py prints the same figures as a table.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.perf.page_weight import COMPRESSED_LIMIT, LIMIT, SCENARIOS, fetch_with, page_weight

# The weight depends on how much the shipped evidence holds: a further study adds to it by design.
pytestmark = pytest.mark.shipped_evidence


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_results_page_fits_its_budgets(app: Flask, name: str) -> None:
    scenario: dict[str, Any] = SCENARIOS[name]
    weight = page_weight(fetch_with(app), name, scenario)
    assert weight.status == 200
    assert weight.assets, "the page loads its stylesheet"
    assert all(path.startswith("/static/") for path in weight.assets)
    assert weight.external == []
    assert weight.fonts == []
    assert weight.total <= LIMIT, weight.as_dict()
    assert weight.compressed <= COMPRESSED_LIMIT, weight.as_dict()
    # Compression is real: the page is text, and the figure is not the raw one.
    assert weight.compressed < weight.total / 3
