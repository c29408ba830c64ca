"""The wording of the reasons voc gives (churn; the escalation rules carry their own), in
Chinese by default and in English on request (``Settings.reasons_language``)."""
from __future__ import annotations

LANGUAGES = ("zh", "en")

ROOT_CAUSE_NAMES = {"zh": {"agent": "坐席", "product": "产品", "policy": "政策", "process": "流程", "other": "其他"},
                    "en": {}}

TEMPLATES = {
    "zh": {
        "exit": "明确的流失意向：{}",
        "unresolved": "问题反复未解决：{}",
        "threat": "投诉威胁：{}",
        "anger": "强烈不满：{}",
        "negative": "情绪非常负面（{:.2f}）",
        "worsened": "对话结束时客户比开始时更不满",
        "root_cause": "根因：{}",
        "high_value": "高价值客户：{}",
        "tier": "客户等级：{}",
        "repeat": "重复联络：窗口内此前已联络 {} 次",
        "words": "模型判为倾向流失的词：{}",
    },
    "en": {
        "exit": "exit intent: {}",
        "unresolved": "repeated unresolved problem: {}",
        "threat": "complaint threat: {}",
        "anger": "strong dissatisfaction: {}",
        "negative": "strongly negative sentiment ({:.2f})",
        "worsened": "the conversation left the customer worse off than it began",
        "root_cause": "root cause: {}",
        "high_value": "high-value customer: {}",
        "tier": "customer tier: {}",
        "repeat": "repeat contact: {} earlier contact(s) in the window",
        "words": "words the model weighs toward leaving: {}",
    },
}


def reason(language: str, key: str, *args) -> str:
    """One reason in ``language`` (zh or en); a root-cause label argument is named in it."""
    if key == "root_cause":
        args = tuple(ROOT_CAUSE_NAMES[language].get(a, a) for a in args)
    return TEMPLATES[language][key].format(*args)
