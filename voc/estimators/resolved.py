"""Resolved within the contact: was the customer's need met? (taxonomy section 8)

Three labels: yes, no, unclear, with ``score`` = probability of yes. ``ResolvedClassifier``
reads the turns of a dialogue (a contact with an agent or bot turn): a calibrated linear model
(``voc.estimators.linear_text``) over character n-grams of the last agent turn, the last
customer turn and the whole agent side, plus transparent features: who spoke last, how many
turns, and cue indicators on the last turns (a call-back or 私信 request, 稍后, a ticket, 已为您处理,
the customer's 好的谢谢 or renewed complaint; each a regular expression saved in the model).

A single text (ticket, review, question: no agent or bot turn) cannot show whether the need was
met: it is ``unclear`` with score None, unless the text itself says so (``SAYS_RESOLVED``, not
negated), then ``yes`` (score None: no model speaks for it).
"""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import InputError, ModelError
from ..records import Resolved, Turn
from .linear_text import LinearText, fit_with_dev, load_folder, save_folder

NAME = "resolved"
VERSION = "1.0.0"  # of the shipped model (voc.training.resolved.build_default)
FORMAT = "voc-resolved/1"
LABELS = ("yes", "no", "unclear")
LABEL_ALIASES = {"是": "yes", "已解决": "yes", "否": "no", "未解决": "no", "不清楚": "unclear", "不确定": "unclear"}
# a single text that says its need was met
SAYS_RESOLVED = re.compile(r"(问题|已经|终于|总算|顺利)(已经?|都|也)?(得到)?解决了|已解决|已经处理好了|已经退款了|已经收到退款")
_NOT_RESOLVED = re.compile(r"[没未不无](有|能|法)?(得到)?(解决|处理)|还没|尚未")
# cue indicators: name -> (which turn, regular expression)
CUES = {
    "agent_later": ("agent", r"私信|稍后|稍等|尽快|联系您|回复您|回电|致电|反馈给|转交|提交|登记|记录|工单|核实|核查|跟进|专人|专员|催办|后续"),
    "agent_elsewhere": ("agent", r"营业厅|拨打|致电\d|热线|10010|10000|10086|官网|售后网点|服务中心|网点"),
    "agent_done": ("agent", r"已为您|已经为您|已帮您|已经帮您|已处理|已经处理|已恢复|已经恢复|已解决|已开通|已取消|已退|已补|已修改|已办理|已生效"),
    "agent_sorry": ("agent", r"抱歉|不便|谅解|歉意|对不起"),
    "agent_asks": ("agent", r"[?？]|请问|麻烦您|提供"),
    "customer_thanks": ("customer", r"谢谢|感谢|多谢|好的|好滴|好嘞|明白|知道了|收到|可以了|好了|行了|OK|ok|赞|解决了|搞定"),
    "customer_unhappy": ("customer", r"还是|没用|不行|无语|投诉|[?？]|为什么|怎么|到底|敷衍|官方|一样|呵呵|算了|失望|垃圾|不能|没有"),
}


def check_label(v: Any) -> str:
    lab = str(v).strip().lower() if v is not None else ""
    lab = LABEL_ALIASES.get(lab, lab)
    if lab not in LABELS:
        raise InputError(f"unknown resolved label {v!r}; use one of {', '.join(LABELS)}.")
    return lab


def is_dialogue(turns: Sequence[Turn]) -> bool:
    """A contact with an agent or bot turn (a system line alone does not make a dialogue)."""
    return any(t.speaker in ("agent", "bot") and t.text for t in turns)


def says_resolved(text: str) -> bool:
    """A single text that says its need was met (and does not say it was not)."""
    return bool(text) and SAYS_RESOLVED.search(text) is not None and _NOT_RESOLVED.search(text) is None


class ResolvedClassifier:
    """Resolved classifier with the scikit-learn contract: ``fit(X, y, sample_weight=None)``,
    ``predict_proba(X)``, ``predict(X)``, ``explain(X)`` (``voc.records.Resolved``),
    ``save(folder)``, ``ResolvedClassifier.load(folder)``. ``X`` is a list of dialogues, each a
    sequence of ``voc.records.Turn`` (the normalised turns of the text stages). The model scores
    dialogues; ``explain`` gives single texts ``unclear`` (or ``yes`` where the text says so).
    Rows with ``sample_weight`` < 1 (weak labels) train but are left out of the development
    folds that fit the temperature.
    """

    _estimator_type = "classifier"

    def __init__(self, C: float = 1.0, last_weight: float = 1.0, side_weight: float = 0.5, cue_weight: float = 1.0,
                 min_df: int = 2, cv: int = 5, random_state: int = 0, cues: dict[str, tuple[str, str]] | None = None,
                 aux_weight: float = 0.5):
        self.C, self.last_weight, self.side_weight, self.cue_weight = C, last_weight, side_weight, cue_weight
        self.min_df, self.cv, self.random_state = min_df, cv, random_state
        self.cues = {k: tuple(v) for k, v in (cues or CUES).items()}
        self.aux_weight = aux_weight

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"C": self.C, "last_weight": self.last_weight, "side_weight": self.side_weight,
                "cue_weight": self.cue_weight, "min_df": self.min_df, "cv": self.cv,
                "random_state": self.random_state, "cues": {k: list(v) for k, v in self.cues.items()},
                "aux_weight": self.aux_weight}

    def _linear(self) -> LinearText:
        return LinearText({"last_agent": (1, 2, self.last_weight), "last_customer": (1, 2, self.last_weight),
                           "agent": (2, 2, self.side_weight)}, C=self.C, min_df=self.min_df,
                          dense_weight=self.cue_weight)

    def _with_aux(self, inputs: dict[str, list], dense: np.ndarray) -> np.ndarray:
        """The dense features plus the auxiliary (task-accomplished) model's logit, if any."""
        aux = getattr(self, "aux_", None)
        if aux is None:
            return dense
        z = aux.logits(inputs, dense)
        return np.hstack([dense, (z[:, 1] - z[:, 0])[:, None] * self.aux_weight])

    def _inputs(self, X: Sequence[Sequence[Turn]]) -> tuple[dict[str, list], np.ndarray]:
        cues = [(side, re.compile(p)) for side, p in self.cues.values()]
        last_a, last_c, agent = [], [], []
        dense = np.zeros((len(X), len(cues) + 5))
        for i, turns in enumerate(X):
            a = [t.text for t in turns if t.speaker in ("agent", "bot") and t.text]
            c = [t.text for t in turns if t.speaker == "customer" and t.text]
            la, lc = (a[-1] if a else ""), (c[-1] if len(c) > 1 else "")  # a first turn is no reply
            last_a.append(la)
            last_c.append(lc)
            agent.append("。".join(a)[-400:])
            for j, (side, r) in enumerate(cues):
                if r.search(la if side == "agent" else lc):
                    dense[i, j] = 1.0
            speakers = [t.speaker for t in turns if t.text and t.speaker != "system"]
            dense[i, -5] = 1.0 if speakers and speakers[-1] == "customer" else 0.0
            dense[i, -4] = min(len(speakers), 10) / 5.0
            dense[i, -3] = 1.0 if len(c) > 1 else 0.0
            dense[i, -2] = math.log1p(len(lc)) / 5.0
            dense[i, -1] = math.log1p(len(la)) / 5.0
        return {"last_agent": last_a, "last_customer": last_c, "agent": agent}, dense

    def fit(self, X: Sequence[Sequence[Turn]], y: Sequence[str], sample_weight: Sequence[float] | None = None,
            groups: Sequence[Any] | None = None, *, X_aux: Sequence[Sequence[Turn]] | None = None,
            accomplished: Sequence[bool] | None = None) -> "ResolvedClassifier":
        """``X_aux``/``accomplished``: optional dialogues with a binary task-accomplished signal
        (STC-3's mean A > 0); a logistic model trained on them gives the main model one more
        feature (its logit), so the hand labels decide how far to trust it."""
        dialogues = [tuple(t) for t in X]
        yi = np.array([LABELS.index(check_label(v)) for v in y])
        w = np.ones(len(dialogues)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.aux_ = None
        if X_aux is not None and accomplished is not None and len(X_aux):
            ai, ad = self._inputs([tuple(t) for t in X_aux])
            self.aux_ = self._linear().fit(ai, ad, np.asarray(accomplished, dtype=int), 2)
        inputs, dense = self._inputs(dialogues)
        dense = self._with_aux(inputs, dense)
        self.model_, self.dev_ = fit_with_dev(self._linear, inputs, dense, yi, len(LABELS), w, self.cv,
                                              self.random_state, groups)
        if self.dev_:
            self.dev_["pred"] = [LABELS[p] for p in self.dev_["pred"]]
        hand = np.flatnonzero(w >= 1.0)
        self.n_train_ = {"rows": len(dialogues), "hand_labelled": int(len(hand)),
                         "by_class": {lab: int(np.sum(yi == i)) for i, lab in enumerate(LABELS)}}
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise ModelError("this ResolvedClassifier is not fitted; call fit() or load() first.")

    def predict_proba(self, X: Sequence[Sequence[Turn]]) -> np.ndarray:
        """Calibrated probabilities of the dialogue model (columns in ``LABELS`` order)."""
        self._check_fitted()
        dialogues = [tuple(t) for t in X]
        if not dialogues:
            return np.zeros((0, len(LABELS)))
        inputs, dense = self._inputs(dialogues)
        return self.model_.proba(inputs, self._with_aux(inputs, dense))

    def explain(self, X: Sequence[Sequence[Turn]]) -> list[Resolved]:
        """``Resolved(label, score)`` per contact: dialogues scored by the model (score =
        probability of yes, 4 places), single texts ``unclear`` with score None (``yes`` where
        the text says its need was met)."""
        contacts = [tuple(t) for t in X]
        out: list[Resolved | None] = [None] * len(contacts)
        rows = [i for i, c in enumerate(contacts) if is_dialogue(c)]
        dialogue = set(rows)
        for i, c in enumerate(contacts):
            if i not in dialogue:
                text = "。".join(t.text for t in c if t.speaker == "customer" and t.text)
                out[i] = Resolved("yes" if says_resolved(text) else "unclear", None)
        if rows:
            probs = self.predict_proba([contacts[i] for i in rows])
            best = probs.argmax(axis=1).tolist()
            yes = np.round(probs[:, 0], 4).tolist()
            for i, b, s in zip(rows, best, yes):
                out[i] = Resolved(LABELS[b], s)
        return out  # type: ignore[return-value]

    def predict(self, X: Sequence[Sequence[Turn]]) -> list[str]:
        return [r.label for r in self.explain(X)]

    def save(self, folder: str | Path, *, version: str = VERSION, card: str = "", description: str = "",
             data_sources: list[dict[str, Any]] | None = None, metrics: dict[str, Any] | None = None) -> Path:
        self._check_fitted()
        config = {"format": FORMAT, "params": self.get_params(), "linear": self.model_.params(),
                  "temperature": self.model_.temperature_, "classes": list(LABELS), "training": self.n_train_,
                  "dev_accuracy": (self.dev_ or {}).get("accuracy")}
        arrays = self.model_.arrays()
        if self.aux_ is not None:
            config["aux"] = {"linear": self.aux_.params()}
            arrays.update({f"aux_{k}": v for k, v in self.aux_.arrays().items()})
        return save_folder(folder, name=NAME, version=version, config=config, arrays=arrays,
                           card=card or f"# Resolved model {version}\n",
                           description=description or "resolved within the contact (voc.estimators.resolved)",
                           data_sources=data_sources, metrics=metrics)

    @classmethod
    def load(cls, folder: str | Path) -> "ResolvedClassifier":
        config, arrays, manifest = load_folder(folder, name=NAME, fmt=FORMAT)
        try:
            model = cls(**config["params"])
            model.model_ = LinearText.from_parts(config["linear"], config["temperature"], arrays)
            model.n_train_ = config.get("training")
            model.dev_ = None
            model.aux_ = None
            if config.get("aux"):
                model.aux_ = LinearText.from_parts(config["aux"]["linear"], 1.0,
                                                   {k[4:]: v for k, v in arrays.items() if k.startswith("aux_")})
            if tuple(config["classes"]) != LABELS:
                raise ValueError(f"classes {config['classes']}")
        except (KeyError, ValueError, TypeError) as e:
            raise ModelError(f"{folder} is not a valid resolved model ({type(e).__name__}: {e}); rebuild it.") from None
        model.manifest_ = manifest
        return model
