"""Contact type: why the customer got in touch (taxonomy section 7).

Six labels: complaint, inquiry, request, praise, suggestion, other. ``ContactTypeClassifier``
is a calibrated multinomial logistic regression (``voc.estimators.linear_text``) over

* character 1-2-grams of the customer text and its segment tokens (sublinear TF-IDF),
* character bigrams of the agent/bot turns as context, weighted down (an agent's apology
  tells of a complaint; the customer's words drive the label),
* a few transparent features: is it a dialogue, how long, question marks and question words,
  request verbs, thanks and praise words, suggestion words, complaint words (each a regular
  expression saved in the model's ``config.json``), among them section 7's tie-break on
  questions: something went wrong (``failure``: 不能, 失败, 没到账, 为什么...不) against how-to
  (``howto``: 怎么开通, 如何, 在哪) and a request opening (``want``: 我要, 帮我, 开通 ...).

The rare classes (request, suggestion, praise) weigh more in training (``class_boost``).
Since 1.4.0 a dialogue is read from its customer turns that are not made only of formulas
(好的, 谢谢, 没有了, 拜拜, 在吗: corpus/lexicons/closings.tsv, saved in the model as ``closings``),
and "我想问一下…" counts as a question word rather than a request opening.

A contact with no customer text is ``other``. Files: ``config.json`` and ``weights.npz``
(numpy arrays, no pickle), ``MODEL_CARD.md``, ``manifest.json``.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..lang.closings import Formulas, default_formulas, matcher
from ..lang.patterns import compile_scanning
from ..records import ContactType, Doc
from .common import checked_label, load_folder, prepared
from .linear_text import LinearText, fit_with_dev, save_folder

NAME = "contact_type"
VERSION = "1.4.1"  # of the shipped model (voc.training.contact_type.build_default)
FORMAT = "voc-contact-type/1"
LABELS = ("complaint", "inquiry", "request", "praise", "suggestion", "other")
LABEL_ALIASES = {"投诉": "complaint", "咨询": "inquiry", "办理": "request", "求助": "request", "表扬": "praise",
                 "建议": "suggestion", "其他": "other", "其它": "other"}
# the transparent features: name -> regular expression over the customer text
CUES = {
    "question": r"[?？]|吗$|吗[。，,！!]|么$",
    "wh": r"怎么|怎样|如何|什么|为何|多少|几[天号点时个次月]|哪[里儿些个]|是否|能否|可否|可不可以|能不能|有没有|会不会|是不是"
          r"|想(?:问|咨询|了解|知道|请教)|问一?下|咨询一?下",  # "我想问一下..." announces a question
    "request": r"帮我|帮忙|麻烦|请[帮给为]|我要|我想(?!问|咨询|了解|知道|请教|查)|申请|取消|修改|更改|改成|改为|更换|换成|开通|关闭|关掉|注销|退订|补开|开具|开个|重置|办理|解绑|绑定|撤销",
    "thanks": r"谢谢|感谢|多谢|辛苦了|点赞|好评|表扬|给力|满意|赞|棒|不错|喜欢|爱你们|多亏|很好|太好了|专业|耐心|及时|周到|热情",
    "suggestion": r"建议|希望.{0,10}(能|可以|增加|改进|加|尽快)|能不能(增加|加|添加|出|做)|可以(增加|加个|添加)|"
                  r"应该(增加|加|改进|加强)|改进|优化|有待|期待|加个|加一个|添加.{0,6}功能|意见|少点|多点|一点|挑个刺",
    "complaint": r"投诉|太差|垃圾|骗|坑|无语|失望|气愤|愤怒|生气|恶心|差评|什么破|怎么还|还没|一直|至今|到现在|为什么|凭什么|乱扣|扣了|扣我|不给|不能用|用不了|故障|没有信号|没信号|问题",
    # section 7's tie-break on questions: something went wrong (complaint) vs how-to (inquiry)
    "failure": r"不能|不了|失败|没到账|未到账|不到账|没有到账|扣了|扣款|冻结|被关|关闭了|进不去|登不上|看不到|查不到|不显示|"
               r"没有了|不见了|怎么还|(为什么|为啥|怎么).{0,10}(不|没)|凭什么|错误|异常|逾期",
    "howto": r"^(怎么|如何|怎样)|怎么(开通|使用|用|申请|办理|还款|操作|设置|关闭|取消|查|提|改)|在哪|哪里(可以|能)|如何|"
             r"可以.{0,12}吗|能.{0,12}吗",
    "want": r"^(我要|我想(?!问|咨询|了解|知道|请教|查)|想要|想申请|申请|帮我|开通|更改|修改|取消|调低|调高|提高|关闭|注销)|要求|请(帮|给|为|尽快|通知)",
}
# rare classes weigh more in training (tuned on development folds of the non-reserved rows)
CLASS_BOOST = {"request": 3.0, "suggestion": 3.0, "praise": 2.0}
_CONTEXT_CHARS = 400  # characters of agent context used per contact
_CLOSING_CHARS = 30  # a longer customer turn is never taken for formulas only (and not scanned: speed)


def _without_closings(d: Doc, formulas: Formulas | None) -> Doc:
    """``d`` read from the customer turns that are not made only of formulas (好的, 谢谢, 没有了,
    拜拜, 在吗: taxonomy section 2): they say nothing about why the customer got in touch, and a
    closing "没有了" read as something gone missing. Unchanged when every turn is a formula."""
    if formulas is None or len(d.turns) < 2:
        return d
    keep = [x for x in d.turns if len(x[0]) > _CLOSING_CHARS or not formulas.is_formula(x[0])]
    if not keep or len(keep) == len(d.turns):
        return d
    return d._replace(text="。".join(x for x, _ in keep if x), tokens=tuple(w for _, tk in keep for w in tk),
                      turns=tuple(keep))


def check_label(v: Any) -> str:
    """A contact-type label (English, or 投诉/咨询/办理/表扬/建议/其他), or ``InputError``."""
    return checked_label(v, LABELS, LABEL_ALIASES, "contact type")


class ContactTypeClassifier:
    """Contact-type classifier with the scikit-learn contract: ``fit(X, y, sample_weight=None)``,
    ``predict_proba(X)``, ``predict(X)``, ``explain(X)`` (``voc.records.ContactType``: label and
    scores), ``save(folder)``, ``ContactTypeClassifier.load(folder)``. ``X`` is a list of
    prepared documents (``voc.records.Doc``). The temperature of the probabilities is fitted
    on out-of-fold predictions of ``cv`` development folds (rows with weight 1 only: the
    hand-labelled ones), then the model is refitted on everything.
    """

    _estimator_type = "classifier"

    def __init__(self, C: float = 8.0, char_weight: float = 1.0, word_weight: float = 0.7,
                 context_weight: float = 0.4, cue_weight: float = 0.5, min_df: int = 2, cv: int = 5,
                 random_state: int = 0, cues: dict[str, str] | None = None, char_ngrams: tuple[int, int] = (1, 2),
                 class_boost: dict[str, float] | None = None, closings: Sequence[str] | None = None):
        self.C, self.char_weight, self.word_weight = C, char_weight, word_weight
        self.context_weight, self.cue_weight, self.min_df = context_weight, cue_weight, min_df
        self.cv, self.random_state = cv, random_state
        self.cues = dict(cues or CUES)
        self.char_ngrams = tuple(char_ngrams)
        self.class_boost = dict(CLASS_BOOST if class_boost is None else class_boost)
        # None: closings.tsv's customer formulas as read now (then saved with the model)
        self.closings = tuple(default_formulas().formulas if closings is None else closings)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"C": self.C, "char_weight": self.char_weight, "word_weight": self.word_weight,
                "context_weight": self.context_weight, "cue_weight": self.cue_weight, "min_df": self.min_df,
                "cv": self.cv, "random_state": self.random_state, "cues": dict(self.cues),
                "char_ngrams": list(self.char_ngrams), "class_boost": dict(self.class_boost),
                "closings": list(self.closings)}

    # -- features ---------------------------------------------------------------------------------
    def _linear(self) -> LinearText:
        return LinearText({"text": (*self.char_ngrams, self.char_weight), "words": (0, 0, self.word_weight),
                           "context": (2, 2, self.context_weight)}, C=self.C, min_df=self.min_df,
                          dense_weight=self.cue_weight)

    def _inputs(self, docs: Sequence[Doc]) -> tuple[dict[str, list], np.ndarray]:
        formulas = matcher(self.closings)
        docs = [_without_closings(d, formulas) for d in docs]
        texts = [d.text for d in docs]
        res = [compile_scanning(p) for p in self.cues.values()]
        dense = np.zeros((len(docs), len(res) + 3))
        for i, d in enumerate(docs):
            t = d.text
            for j, r in enumerate(res):
                if r.search(t):
                    dense[i, j] = 1.0
            dense[i, -3] = 1.0 if d.context else 0.0
            dense[i, -2] = math.log1p(len(t)) / 5.0
            dense[i, -1] = 1.0 if not t.strip() else 0.0
        inputs = {"text": texts, "words": [d.tokens for d in docs],
                  "context": [d.context[:_CONTEXT_CHARS] for d in docs]}
        return inputs, dense

    # -- fit / predict ----------------------------------------------------------------------------
    def fit(self, X: Sequence[Doc], y: Sequence[str], sample_weight: Sequence[float] | None = None,
            groups: Sequence[Any] | None = None) -> "ContactTypeClassifier":
        docs = prepared(X, "ContactTypeClassifier")
        labels = [check_label(v) for v in y]
        yi = np.array([LABELS.index(v) for v in labels])
        w = np.ones(len(docs)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        inputs, dense = self._inputs(docs)
        boost = np.array([self.class_boost.get(lab, 1.0) for lab in LABELS])[yi]
        # weights >= 1 mark the hand-labelled rows (development folds): the boost keeps them there
        self.model_, self.dev_ = fit_with_dev(self._linear, inputs, dense, yi, len(LABELS), w * boost, self.cv,
                                              self.random_state, groups)
        if self.dev_:
            self.dev_["pred"] = [LABELS[p] for p in self.dev_["pred"]]
        hand = np.flatnonzero(w >= 1.0)
        self.classes_ = LABELS
        self.n_train_ = {"rows": len(docs), "hand_labelled": int(len(hand)),
                         "by_class": {lab: int(np.sum(yi == i)) for i, lab in enumerate(LABELS)}}
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            from ..errors import ModelError

            raise ModelError("this ContactTypeClassifier is not fitted; call fit() or load() first.")

    def predict_proba(self, X: Sequence[Doc]) -> np.ndarray:
        """Calibrated probabilities, columns in ``LABELS`` order; an empty text is all ``other``."""
        self._check_fitted()
        docs = prepared(X, "ContactTypeClassifier")
        if not docs:
            return np.zeros((0, len(LABELS)))
        inputs, dense = self._inputs(docs)
        probs = self.model_.proba(inputs, dense)
        empty = dense[:, -1] > 0
        probs[empty] = 0.0
        probs[empty, LABELS.index("other")] = 1.0
        return probs

    def predict(self, X: Sequence[Doc]) -> list[str]:
        return [LABELS[i] for i in self.predict_proba(X).argmax(axis=1)]

    def explain(self, X: Sequence[Doc]) -> list[ContactType]:
        """Label and scores (rounded to 4 places) over all six labels, per contact."""
        probs = self.predict_proba(X)
        rounded = np.round(probs, 4).tolist()
        best = probs.argmax(axis=1).tolist()
        return [ContactType(LABELS[b], dict(zip(LABELS, row))) for b, row in zip(best, rounded)]

    # -- files ------------------------------------------------------------------------------------
    def save(self, folder: str | Path, *, version: str = VERSION, card: str = "", description: str = "",
             data_sources: list[dict[str, Any]] | None = None, metrics: dict[str, Any] | None = None,
             extra: dict[str, Any] | None = None) -> Path:
        """Write the model folder; ``extra``: more manifest fields (a user model's provenance)."""
        self._check_fitted()
        from ..text.segment import fingerprint

        config = {"format": FORMAT, "params": self.get_params(), "linear": self.model_.params(),
                  "temperature": self.model_.temperature_, "classes": list(LABELS), "training": self.n_train_,
                  "dev_accuracy": (self.dev_ or {}).get("accuracy"), "segmenter": fingerprint()}
        return save_folder(folder, name=NAME, version=version, config=config, arrays=self.model_.arrays(),
                           card=card or f"# Contact-type model {version}\n",
                           description=description or "contact type (voc.estimators.contact_type)",
                           data_sources=data_sources, metrics=metrics, **(extra or {}))

    @classmethod
    def load(cls, folder: str | Path) -> "ContactTypeClassifier":
        from ..errors import ModelError

        config, arrays, manifest = load_folder(folder, name=NAME, fmt=FORMAT)
        try:
            model = cls(**{"closings": (), **config["params"]})  # (older models: every customer turn)
            model.model_ = LinearText.from_parts(config["linear"], config["temperature"], arrays)
            model.classes_ = tuple(config["classes"])
            model.n_train_ = config.get("training")
            model.dev_ = None
        except (KeyError, ValueError, TypeError) as e:
            raise ModelError(f"{folder} is not a valid contact-type model ({type(e).__name__}: {e}); "
                             f"rebuild it.") from None
        if model.classes_ != LABELS:
            raise ModelError(f"{folder} has classes {model.classes_}, not {LABELS}; rebuild it.")
        model.manifest_ = manifest
        return model
