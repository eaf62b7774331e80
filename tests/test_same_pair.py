"""Two studies weighing the same options: every named section of the patient and print views is unique."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from tests.same_pair import write_same_pair

# A patient inside both mini studies' populations (70-99%, symptomatic, within 30 days).
FORM: dict[str, Any] = {
    "setting": "symptomatic_icas",
    "options": ["medical", "balloon_stent"],
    "stenosis_percent": "80",
    "symptomatic": "yes",
    "days_since_event": "10",
    "artery": "mca",
    "age": "64",
}
SECTION = re.compile(r'<section\b[^>]*\baria-labelledby="([^"]+)"')
ELEMENT = r'<(\w+)\b[^>]*\bid="{id}"[^>]*>(.*?)</\1>'


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    root = write_same_pair(tmp_path_factory.mktemp("evidence"))
    return create_app({"TESTING": True, "EVIDENCE_DIR": root}).test_client()


def section_names(page: str) -> list[str]:
    """Each labelled section's accessible name: the texts of its aria-labelledby ids, joined."""
    names = []
    for ids in SECTION.findall(page):
        parts = []
        for element_id in ids.split():
            found = re.search(ELEMENT.format(id=re.escape(element_id)), page, re.DOTALL)
            assert found, element_id
            parts.append(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", found[2])).split()))
        names.append(" ".join(parts))
    return names


@pytest.mark.parametrize("view", ["patient", "print"])
def test_each_section_is_named_after_its_study(client: FlaskClient, view: str) -> None:
    response = client.post("/", data={**FORM, "view": view})
    assert response.status_code == 200
    names = section_names(response.get_data(as_text=True))
    comparisons = [n for n in names if n.startswith("Medicines only or balloon stent")]
    assert comparisons == [
        "Medicines only or balloon stent: what Mini found",
        "Medicines only or balloon stent: what Mini Two found",
    ]
    assert sorted(n for n in names if n.startswith("A stroke")) == [
        "A stroke Medicines only or balloon stent: what Mini Two found",
        "A stroke Medicines only or balloon stent: what Mini found",
    ]
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates
