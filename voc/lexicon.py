"""The taxonomy's root causes and their owners (taxonomy section 6). Cue lexicons and their
matcher are in ``voc.lang.cues``; ``CueLexicon``, ``Cue`` and ``tsv_rows`` are importable from
here too while the root-cause and sentiment stages move to it."""
from __future__ import annotations

from .lang.cues import Cue, CueMatcher, tsv_rows  # noqa: F401 (re-exported)

ROOT_CAUSES = ("agent", "product", "policy", "process", "other")
OWNERS = {"agent": "客服质检/培训", "product": "产品/研发", "policy": "业务政策/合规",
          "process": "运营/流程", "other": None}

CueLexicon = CueMatcher
