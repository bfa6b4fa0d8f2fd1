"""The applications' public names have Keras-style docstrings and are in the README."""

import pathlib
import re

import pytest

import pipekeras.applications as apps
from pipekeras.docstrings import split

README = (pathlib.Path(__file__).parents[2] / "README.md").read_text()


@pytest.mark.parametrize("name", apps.__all__)
def test_application_docstring_and_readme(name):
    intro, sections = split(getattr(apps, name).__doc__)
    assert intro.splitlines()[0].strip()
    assert {"Args", "Returns", "Raises", "Example"} <= set(sections)
    readme_names = set(re.findall(r"`([A-Za-z_0-9]+)`", README))
    assert name in readme_names or name.endswith("_for") or name in ("preprocess_input", "decode_predictions")
