"""The two shapes a caveat takes: a Notice about a study, a Signal about one outcome's evidence."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Notice:
    """A caveat with a stable code for programs and plain text for people."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Signal:
    """One reason bearing on how far an outcome's evidence can be trusted."""

    code: str
    text: str
