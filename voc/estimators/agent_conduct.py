"""Agent conduct (taxonomy section 9): did the agent(s) serve well? ok / problem / na.

A small calibrated linear model (``voc.estimators.linear_text``) over character uni- and bigrams
of the agent's turns, of the agent's first and last reply, and of the customer's later turns (a
customer who answers 答非所问, 敷衍, 一样的话术 tells what the rules cannot see), plus dense
features: the QA rule hits of the contact (``voc.qa``), cue indicators (the customer calling the
reply perfunctory, off the point, a bot; the agent only referring elsewhere or asking for a
private message), the shape of the exchange (turns, length, how much of the customer's words the
first reply takes up) and the relation between each question and its reply
(``voc.estimators.conduct_features``: overlap, question type answered, referral-only replies, the
customer asking again or reacting badly). ``na``
when no agent speaks (tickets, reviews, bot-only chats). The spans are the agent turns the model
weighs most when it says problem; the reasons name the cues and rule items that fired.

Inputs are ``ConductInput(turns, hits)``: the prepared (normalised, redacted) turns and the QA
hits of the ``qa`` stage.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Sequence

import numpy as np

from ..errors import ModelError
from ..records import AgentConduct, QaHit, Turn
from .common import load_folder
from .conduct_features import NEGATIVE, QUESTION_TYPES, REFERRAL, relation_features
from .linear_text import LinearText, fit_with_dev, save_folder

NAME = "agent_conduct"
VERSION = "1.2.2"
FORMAT = "voc-agent-conduct/2"
LABELS = ("ok", "problem")
# cue -> (whose turns, regular expression); each an indicator and, when it fires, a reason
CUES = {
    "customer_says_perfunctory": ("later", r"敷衍|套话|官方|复制粘贴|自动回复|机器人|模板|一样的话术|同样的话|千篇一律|打太极|踢皮球|推来推去|推卸"),
    "customer_says_off_point": ("later", r"答非所问|不是(问|说)这个|我问的是|没看懂|看清楚|说的不是|不是这个意思|牛头不对马嘴|没回答"),
    "customer_says_no_help": ("later", r"没用|有什么用|没解决|还是不行|还是没|等了|多久|到底|呵呵|无语|算了"),
    "agent_refers_elsewhere": ("agent", r"营业厅|拨打|致电|热线|1001\d|10000|10086|官网|售后网点|服务中心|咨询当地|联系当地"),
    "agent_asks_private": ("agent", r"私信|提供(一下)?(您的)?(号码|手机|联系方式|订单)"),
    "agent_sorry": ("agent", r"抱歉|歉意|对不起|不便|谅解"),
    "agent_solution": ("agent", r"建议|可以(通过|在|登录|进入|打开|点击|设置)|请您?(打开|进入|点击|设置|更新|升级|重启)|已为您|已经为您"),
}
RULE_FEATURES = ("shirking", "rude", "mocking", "promise_without_time", "no_empathy", "long_script", "repeated_reply")
N_SHAPE = 4
# character n-gram blocks (lo, hi, weight) and the least number of training dialogues an n-gram
# needs: uni- and bigrams with min_df 5 beat 1-3-grams with min_df 2 on the development folds
# (fewer, commoner features generalise better from ~1k dialogues, and cost less)
BLOCKS = {"agent": (1, 2, 1.0), "later": (1, 2, 0.7), "first": (1, 2, 0.5), "last": (1, 2, 0.5)}
MIN_DF = 5


class ServiceFormulas:
    """Agent turns that are service formulas, never the turns behind a problem: a turn made only
    of formulas (the customer formulas of corpus/lexicons/closings.tsv and the words of the shipped
    QA greeting and closing conditions: 您好 / 再见), or a short agent turn (≤ 30 characters) that
    is the agent's first and holds one of the QA greeting phrases of four characters or more
    ("您好优选商城客服中心很高兴为您服务") or the agent's self-introduction ("您好,工号1024为您服务"),
    or is the agent's last and holds a closing phrase
    ("请问还有其他可以帮您的吗"). A turn in the middle that holds a phrase ("好的已经帮您处理好了还有
    其他问题可以随时咨询我们") says more than the formula, and stays a candidate."""

    SHORT = 30

    def __init__(self) -> None:
        from ..lang.closings import Formulas, default_formulas
        from ..qa.rules import load_rules

        conditions = load_rules().conditions
        greeting, closing = conditions["greeting"].any, conditions["closing"].any
        self.only = Formulas([*default_formulas().formulas, *greeting, *closing, "请问", "可以帮您", "为您服务", "亲"])
        self.greeting, self.closing = self._phrases(greeting), self._phrases(closing)
        self.intro = conditions["self_intro"].regex  # 工号1024为您服务: the opening names the agent

    @staticmethod
    def _phrases(words: Sequence[str]) -> "re.Pattern[str]":
        return re.compile("|".join(re.escape(p) for p in sorted(words, key=len, reverse=True) if len(p) >= 4))

    def is_formula(self, text: str, first: bool = False, last: bool = False) -> bool:
        if self.only.is_formula(text):
            return True
        return len(text) <= self.SHORT and (
            (first and (self.greeting.search(text) is not None or self.intro.search(text) is not None))
            or (last and self.closing.search(text) is not None))


@lru_cache(maxsize=1)
def service_formulas() -> ServiceFormulas:
    return ServiceFormulas()


class ConductInput(NamedTuple):
    turns: tuple[Turn, ...]
    hits: tuple[QaHit, ...] = ()


def texts_of(x: ConductInput) -> tuple[str, str]:
    agent = "。".join(t.text for t in x.turns if t.speaker == "agent" and t.text)
    first = next((i for i, t in enumerate(x.turns) if t.speaker == "agent"), len(x.turns))
    later = "。".join(t.text for t in x.turns[first:] if t.speaker == "customer" and t.text)
    return agent, later


def features_of(x: ConductInput, rx: dict[str, re.Pattern]) -> tuple[dict[str, str], list[float]]:
    """The text of each n-gram block (all agent turns, the customer after the first reply, the
    agent's first and last reply) and the dense features but the relation ones (cues, rule hits,
    shape)."""
    agent, later = texts_of(x)
    a = [t.text for t in x.turns if t.speaker == "agent" and t.text]
    n_customer = sum(1 for t in x.turns if t.speaker == "customer" and t.text)
    f = [1.0 if rx[k].search(later if who == "later" else agent) else 0.0 for k, (who, _) in CUES.items()]
    fired = {h.rule for h in x.hits}
    f += [1.0 if r in fired else 0.0 for r in RULE_FEATURES]
    f += [min(len(a), 4) / 4, min(len(agent), 400) / 400, 1.0 if n_customer > len(a) else 0.0,
          1.0 if len(a) > 1 and len(set(a)) < len(a) else 0.0]
    return {"agent": agent, "later": later, "first": a[0] if a else "", "last": a[-1] if a else ""}, f


def relation_config() -> dict[str, Any]:
    """The patterns of the question-answer relation features, kept in the model's config."""
    return {"question_types": {k: list(v) for k, v in QUESTION_TYPES.items()}, "referral": REFERRAL,
            "negative": NEGATIVE}


class AgentConductModel:
    """``fit(inputs, labels)``, ``predict(inputs) -> [AgentConduct]``, ``save``, ``load``."""

    def __init__(self, C: float = 2.0, threshold: float = 0.5, seed: int = 0):
        self.C, self.threshold, self.seed = C, threshold, seed
        self.version = VERSION
        self._rx = {k: re.compile(p) for k, (_, p) in CUES.items()}
        self.aux_: dict[str, LinearText] = {}  # auxiliary models (STC-3's satisfaction / effectiveness)

    def fit_aux(self, X: Sequence[ConductInput], targets: dict[str, Sequence[bool]]) -> "AgentConductModel":
        """Auxiliary models on many more dialogues with a weaker target (each a bool per input);
        their logits become dense features of the main model. Fit them before ``fit``."""
        texts, dense = self._base(X)
        for name, yv in targets.items():
            m = self._make()
            m.class_weight = None
            self.aux_[name] = m.fit(texts, dense, np.asarray(yv, dtype=int), 2)
        return self

    def _make(self) -> LinearText:
        return LinearText(BLOCKS, C=self.C, min_df=MIN_DF, class_weight="balanced")

    def _base(self, X: Sequence[ConductInput]) -> tuple[dict[str, list[str]], np.ndarray]:
        per = [features_of(x, self._rx) for x in X]
        dense = np.array([p[1] for p in per], dtype=np.float64).reshape(len(X), -1)
        return {k: [p[0][k] for p in per] for k in BLOCKS}, np.hstack([dense, relation_features([x.turns for x in X])])

    def _design(self, X: Sequence[ConductInput], grams: dict | None = None) -> tuple[dict[str, list[str]], np.ndarray]:
        texts, dense = self._base(X)
        if self.aux_:
            margins = []
            for m in self.aux_.values():
                lg = m.logits(texts, dense, grams)
                margins.append(np.clip(lg[:, 1] - lg[:, 0], -8, 8) / 4)
            dense = np.hstack([dense, np.array(margins).T])
        return texts, dense

    def fit(self, X: Sequence[ConductInput], y: Sequence[str], cv: int = 5, groups: Sequence[str] | None = None,
            weights: Sequence[float] | None = None) -> "AgentConductModel":
        """``weights``: 1 for the labels the development folds and calibration use, below 1 for
        labels that only add to the training (always in it)."""
        texts, dense = self._design(X)
        yy = np.array([LABELS.index(v) for v in y])
        w = np.ones(len(yy)) if weights is None else np.asarray(weights, dtype=np.float64)
        self.model_, self.dev_ = fit_with_dev(self._make, texts, dense, yy, 2, w, cv, self.seed, groups)
        return self

    def proba(self, X: Sequence[ConductInput]) -> np.ndarray:
        """Probability of problem for each input (every input must have an agent turn)."""
        if not X:
            return np.zeros(0)
        grams: dict = {}  # the n-grams of each text block, computed once for the main and auxiliary models (speed)
        texts, dense = self._design(X, grams)
        return self.model_.proba(texts, dense, grams)[:, 1]

    def predict_inputs(self, X: Sequence[ConductInput]) -> list[AgentConduct]:
        has_agent = [any(t.speaker == "agent" and t.text for t in x.turns) for x in X]
        rows = [x for x, h in zip(X, has_agent) if h]
        p = iter(self.proba(rows).tolist())
        out: list[AgentConduct | None] = []
        problems = []
        for x, h in zip(X, has_agent):
            if not h:
                out.append(AgentConduct("na"))
                continue
            score = round(float(next(p)), 4)
            if score < self.threshold:
                out.append(AgentConduct("ok", score))
                continue
            problems.append((len(out), x, score))
            out.append(None)
        for (i, x, score), spans in zip(problems, self.spans([x for _, x, _ in problems])):
            out[i] = AgentConduct("problem", score, self.reasons(x), spans)
        return out

    def predict(self, batch) -> list[AgentConduct]:
        """For the ``agent_conduct`` stage: ``batch`` of tagged contacts after the ``qa`` stage."""
        return self.predict_inputs([ConductInput(tuple(t.turns or ()), t.qa.hits if t.qa else ()) for t in batch])

    def reasons(self, x: ConductInput) -> tuple[str, ...]:
        agent, later = texts_of(x)
        out = [k for k, (who, _) in CUES.items() if k.startswith("customer") and self._rx[k].search(later)]
        out += [h.item for h in x.hits if h.type == "must_not"]
        return tuple(dict.fromkeys(out))

    def spans(self, X: Sequence[ConductInput], k: int = 2) -> list[tuple[tuple[int, str], ...]]:
        """For each input, up to ``k`` agent turns behind the problem, in turn order: first the
        turns a must_not QA rule hit (爱修不修), then those whose own text the agent block scores
        towards a problem. A turn of service formulas (a greeting, ``ServiceFormulas``) is never
        one; a turn that scores towards ``ok`` is left out unless no other is left (then the
        best one is kept). No turn when the agent said nothing but formulas. Every turn of
        every input is scored in one batch."""
        idx = [[i for i, t in enumerate(x.turns) if t.speaker == "agent" and t.text] for x in X]
        flat = [x.turns[i].text for x, ii in zip(X, idx) for i in ii]
        scores = iter([])
        if flat:
            m = self.model_
            M = m.vocabs_["agent"].transform(flat) * m.blocks["agent"][2]
            w = m.coef_[1, :M.shape[1]] - m.coef_[0, :M.shape[1]]
            scores = iter(np.asarray(M @ w).ravel().tolist())
        out, formulas = [], service_formulas()
        for x, ii in zip(X, idx):
            hit = {h.turn for h in x.hits if h.type == "must_not" and h.turn is not None}
            s = [next(scores) for _ in ii]
            order = sorted(range(len(ii)), key=lambda j: (ii[j] not in hit, -s[j], j))
            order = [j for j in order if ii[j] in hit or not formulas.is_formula(
                x.turns[ii[j]].text, first=j == 0, last=j == len(ii) - 1)]
            keep = [j for j in order if ii[j] in hit or s[j] > 0][:k] or order[:1]
            out.append(tuple((ii[j], x.turns[ii[j]].text) for j in sorted(keep)))
        return out

    # -- files ---------------------------------------------------------------------------
    def save(self, folder: str | Path, *, card: str = "", metrics: dict[str, Any] | None = None,
             data_sources: list[dict[str, Any]] | None = None) -> Path:
        arrays = dict(self.model_.arrays())
        for name, m in self.aux_.items():
            arrays.update({f"aux_{name}__{k}": v for k, v in m.arrays().items()})
        config = {"format": FORMAT, "version": VERSION, "C": self.C, "threshold": self.threshold, "seed": self.seed,
                  "params": self.model_.params(), "temperature": self.model_.temperature_,
                  "aux": {name: m.params() for name, m in self.aux_.items()},
                  "cues": {k: list(v) for k, v in CUES.items()}, "rules": list(RULE_FEATURES),
                  "relation": relation_config()}
        return save_folder(folder, name=NAME, version=VERSION, config=config, arrays=arrays,
                           card=card, description="agent conduct: ok / problem / na (taxonomy section 9)",
                           data_sources=data_sources, metrics=metrics)

    @classmethod
    def load(cls, folder: str | Path) -> "AgentConductModel":
        config, arrays, manifest = load_folder(folder, name=NAME, fmt=FORMAT)
        if (config.get("cues") != {k: list(v) for k, v in CUES.items()} or config.get("rules") != list(RULE_FEATURES)
                or config.get("relation") != relation_config()):
            raise ModelError(f"{folder} was built with other cues or rules than this voc; rebuild it with "
                             f"`python -m voc.build agent_conduct`.")
        m = cls(C=config["C"], threshold=config["threshold"], seed=config["seed"])
        for name, params in config.get("aux", {}).items():
            pre = f"aux_{name}__"
            m.aux_[name] = LinearText.from_parts(params, 1.0, {k[len(pre):]: v for k, v in arrays.items()
                                                                if k.startswith(pre)})
        m.model_ = LinearText.from_parts(config["params"], config["temperature"],
                                         {k: v for k, v in arrays.items() if not k.startswith("aux_")})
        m.version = manifest.get("version", VERSION)
        return m
