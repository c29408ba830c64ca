"""The taxonomy's root causes and their default owners (taxonomy sections 1 and 6; a user's
escalation rules file may override the owners in ``[owners]``)."""
from __future__ import annotations

ROOT_CAUSES = ("agent", "product", "policy", "process", "other")
OWNERS = {"agent": "客服质检/培训", "product": "产品/研发", "policy": "业务政策/合规",
          "process": "运营/流程", "other": None}

# the values a contact's other tags take (taxonomy sections 2-5 and 7)
CONTACT_TYPES = ("complaint", "inquiry", "request", "praise", "suggestion", "other")
SENTIMENT_LABELS = ("negative", "neutral", "positive")
CHURN_LEVELS = ("high", "medium", "low")
ESCALATION_LEVELS = ("urgent", "normal", "none")
