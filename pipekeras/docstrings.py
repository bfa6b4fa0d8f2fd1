"""Composing Keras-style docstrings (summary, Args, Returns, Raises, Example) from other docstrings.

The pipe constructors (`dense`) and verbs (`fit`) are generated from the layer classes and model methods;
their docstrings are built here from the ones of what they wrap, so `help(dense)` is complete without
a second copy to keep in step.
"""

import inspect
import re

SECTION = re.compile(r"^(Args|Arguments|Attributes|Returns|Raises|Examples?|Note|Notes):\s*$")


def split(doc):
    """(intro, {section name: indented body}) of a docstring; "Examples" is read as "Example"."""
    intro, sections, current = [], {}, None
    for line in inspect.cleandoc(doc or "").splitlines():
        match = SECTION.match(line)
        if match:
            current = {"Examples": "Example", "Arguments": "Args"}.get(match.group(1), match.group(1))
            sections[current] = []
        elif current is None:
            intro.append(line)
        else:
            sections[current].append(line)
    return "\n".join(intro).strip(), {name: "\n".join(body).rstrip() for name, body in sections.items()}


def join(intro, sections):
    """A docstring from an intro and sections, in Keras' order."""
    parts = [intro]
    order = ["Args", "Attributes", "Returns", "Raises", "Note", "Notes", "Example"]
    for name in sorted(sections, key=lambda n: order.index(n) if n in order else len(order)):
        if sections[name].strip():
            parts.append(f"{name}:\n{sections[name]}")
    return "\n\n".join(parts) + "\n"


def inherited_section(cls, name):
    """Section `name` of the first class in `cls`'s MRO whose docstring has it ("" if none does)."""
    for klass in cls.__mro__:
        section = split(klass.__dict__.get("__doc__"))[1].get(name)
        if section:
            return section
    return ""
