"""Shared fixtures: the shipped KB and detectors are built once per test session."""

from __future__ import annotations

import pytest

from interdiction.detect.base import DetectorContext, available_detectors
from interdiction.kb import load_kb
from interdiction.pipeline.screen import Screener


@pytest.fixture(scope="session")
def kb():
    return load_kb()


@pytest.fixture(scope="session")
def detectors(kb):
    context = DetectorContext(kb=kb)
    return {name: cls(context) for name, cls in available_detectors().items()}


@pytest.fixture(scope="session")
def screener(kb):
    return Screener.create(kb=kb)
