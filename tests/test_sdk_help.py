"""help() and docs/sdk.md show the SDK's own API: short, every public name, an example each."""

from __future__ import annotations

import inspect
import pydoc
import re

import pytest

import publisher.sdk as sdk
from publisher.sdk import reference

from .conftest import ROOT


def test_help_on_the_package_is_short_and_names_every_public_name():
    text = pydoc.render_doc(sdk, renderer=pydoc.plaintext)
    assert len(text.splitlines()) < 200
    doc = sdk.__doc__
    missing = [name for name in sdk.__all__ if not re.search(rf"\b{re.escape(name)}\b", doc)]
    assert missing == []


@pytest.mark.parametrize("name", sorted(n for n in sdk.__all__ if n not in ("units", "Panel")))
def test_each_public_name_has_a_docstring_with_an_example(name):
    obj = getattr(sdk, name)
    doc = inspect.getdoc(obj) or ""
    assert doc, name
    if inspect.isfunction(obj) or name in ("Override", "Column", "ValueMap", "RangeMap", "RegexMap", "SpecialMap",
                                          "Transformation", "Query", "Link"):
        assert re.search(r"\w\(", doc), f"{name}: no example call in its docstring"


def test_the_committed_reference_is_what_the_generator_writes():
    assert (ROOT / "docs" / "sdk.md").read_text() == reference.render(), \
        "docs/sdk.md is stale: run `python -m publisher.sdk.reference > docs/sdk.md`"


def test_the_reference_documents_every_public_name():
    assert reference.documented() == set(sdk.__all__)
