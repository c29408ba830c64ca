"""Shared fixtures. Tests that read ../shared/data skip with a reason when it is absent."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("VOC_CACHE_DIR", str(ROOT / ".cache-test"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    from voc.datasets import shared_data_dir

    d = shared_data_dir()
    if d is None:
        pytest.skip("../shared/data is absent (a user's clone has no shared data sets); CI has it")
    return d


@pytest.fixture(scope="session")
def samples() -> Path:
    return ROOT / "corpus" / "samples"
