"""Resolved within the contact: was the customer's need met? (taxonomy section 8)

Three labels: yes, no, unclear, with ``score`` = probability of yes. ``ResolvedClassifier``
reads the turns of a dialogue (a contact with an agent or bot turn): a calibrated linear model
(``voc.estimators.linear_text``) over character n-grams of the last agent turn, the last
customer turn and the whole agent side, plus transparent features: who spoke last, how many
turns, cue indicators on the last turns (a call-back or 私信 request, 稍后, a ticket, 已为您处理,
the customer's 好的谢谢 or renewed complaint; each a regular expression saved in the model), the
first customer turn, indicators of the final exchange (``exchange_features``: an unanswered agent
question, a fix with no report back, the customer accepting, complaining again or reporting the
problem gone ...), and the logits of auxiliary models trained on STC-3's dialogue annotations.
Every feature is read without the agent and bot turns made only of service formulas (a closing
"感谢您的来电，祝您生活愉快，再见" decides nothing; ``AGENT_FORMULAS``, saved in the model), and
(since 1.3.1) an agent turn is read from its answer, without the lead-in before it ("好的您稍等
我帮您查一下…": ``AGENT_PREAMBLES``).

A single text (ticket, review, question: no agent or bot turn) cannot show whether the need was
met: it is ``unclear`` with score None, unless the text itself says so (``SAYS_RESOLVED``, not
negated), then ``yes`` (score None: no model speaks for it).
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import InputError, ModelError
from ..lang.closings import Formulas, default_formulas, matcher
from ..lang.patterns import compile_scanning
from ..records import Resolved, Turn
from .common import checked_label, load_folder, transposed
from .linear_text import LinearText, fit_with_dev, save_folder

NAME = "resolved"
VERSION = "1.3.2"  # of the shipped model (voc.training.resolved.build_default)
FORMAT = "voc-resolved/2"
LABELS = ("yes", "no", "unclear")
LABEL_ALIASES = {"是": "yes", "已解决": "yes", "否": "no", "未解决": "no", "不清楚": "unclear", "不确定": "unclear"}
# a single text that says its need was met
SAYS_RESOLVED = compile_scanning(r"(问题|已经|终于|总算|顺利)(已经?|都|也)?(得到)?解决了|已解决|已经处理好了|已经退款了|已经收到退款")
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
# the final exchange (taxonomy section 8): name -> regular expression, combined in exchange_features
EXCHANGE = {
    "q_end": r"([?？]|吗|呢|么)[^。!！~]{0,6}$",
    "ask_info": r"请问|是否|能否|方便|麻烦您?(提供|告知|描述|截图|私信)|提供|告知|截图|型号|版本|具体|什么情况|哪里|多少|怎样",
    "fix": r"建议|尝试|可以(通过|在|登录|拨打|进入|打开|点击|选择|设置)|请您?(打开|进入|点击|设置|更新|升级|重启|清除|卸载)|设置|重启|升级|更新",
    "refer": r"营业厅|拨打|热线|1001\d|10000|10086|官网|售后|服务中心|网点|网上营业厅",
    "promise": r"私信|稍后|联系您|回复您|回电|反馈|转交|提交|登记|记录|工单|核实|跟进|专人|专员|尽快|耐心等待|等待",
    "accept": r"谢谢|感谢|多谢|好的|好滴|好嘞|明白|知道了|收到|可以了|好了|行了|OK|ok|解决了|搞定|嗯|恩",
    "complain": r"还是|没用|不行|无语|投诉|为什么|到底|敷衍|呵呵|算了|失望|垃圾|不能|没有|根本|又|!!|！！|怎么回事|解释|不满|什么意思|几个意思|耍|坑|骗",
    "info": r"\d{3,}|版本|是的|不是|对的|系统|型号|〔手机号〕|订单|号码|已经私信|私信了|发了|已发",
    "fixed": r"恢复(正常)?了|正常了|到账了|搞好了|弄好了|解决了|可以用了|能用了|没问题了|不用了|不需要(处理)?了|成功了|好了|已经(可以|正常|恢复|搞定|解决|收到)",
    "not_fixed": r"还(是|没)|没有?(恢复|解决|好|到账)|不(能|行)|依然|仍然|[?？]",
    "suggests": r"建议|希望|能不能|可不可以|能否|期待|意见",
    "noted": r"记录|反馈给|转达|参考|采纳|感谢您?的(建议|意见|反馈|支持)",
    "question": r"[?？]|请问|怎么|如何|吗|什么时候|多久|哪里|能不能|可以",
}
N_EXCHANGE = 18  # columns of exchange_features
# Agent service formulas (taxonomy section 2): an agent or bot turn made only of these and the
# customer formulas of corpus/lexicons/closings.tsv (punctuation and particles aside) says nothing
# about the need: "感谢您的来电，祝您生活愉快，再见" after a call-back promise. The final exchange is read
# from the last substantive agent turn. The whole list (these and closings.tsv's, as read when the
# model is made) is saved in the model as ``agent_formulas``.
AGENT_FORMULAS = (
    "感谢您的来电", "感谢来电", "谢谢您的来电", "感谢您的耐心", "感谢您的耐心等待", "谢谢您的耐心", "感谢您的等待",
    "感谢您的支持", "谢谢您的支持", "感谢您的理解", "谢谢您的理解", "感谢您的配合", "谢谢您的配合",
    "感谢您的理解和支持", "感谢您的支持和理解", "感谢您的反馈", "感谢您的咨询", "感谢您的关注", "感谢您的信任",
    "感谢您的耐心与理解", "感谢您的来电与支持", "非常感谢", "十分感谢",
    "祝您生活愉快", "祝您愉快", "祝您购物愉快", "祝您工作顺利", "祝您一切顺利", "祝您生活顺利", "祝您天天开心",
    "祝您周末愉快", "祝您身体健康", "祝您",
    "请问还有什么可以帮您", "还有什么可以帮您", "请问还有什么可以帮您的吗", "还有什么可以帮您的吗",
    "请问还有其他可以帮您的吗", "还有其他可以帮您的吗", "请问还有其他问题吗", "还有其他问题吗", "请问还有别的问题吗",
    "还有别的问题吗", "请问还有其他需要帮助的吗", "还有其他需要帮助的吗", "还有什么需要帮助的吗",
    "请问还有什么问题吗", "还有什么问题吗", "请问还有其他可以帮到您的吗", "还有其他可以帮到您的吗",
    "请问还有什么可以帮到您的吗", "还有什么可以帮到您的吗", "请问还有其他需要咨询的吗", "还有其他需要咨询的吗",
    "请问有什么可以帮您", "有什么可以帮您", "请问有什么可以帮您的吗", "有什么可以帮您的吗",
    "请问有什么可以帮到您", "很高兴为您服务", "欢迎致电", "欢迎来电", "欢迎下次光临", "欢迎再次光临", "欢迎下次来电",
    "欢迎您再次来电", "欢迎再次来电", "期待您的再次光临", "不客气", "不用谢", "应该的", "这是我们应该做的",
    "请您对我的服务做出评价", "请对我的服务进行评价", "麻烦您对我的服务进行评价", "稍后请对我的服务进行评价",
)
# An agent's lead-in before the answer in the same turn (a call transcript runs them together:
# "好的您稍等我帮您查一下您的宽带是明年三月到期"): the turn is read from the answer, as the customer
# heard it, not from a wait. Only a lead-in followed by an answer goes: the same words ending a turn
# ("请稍等，我帮您查一下") are a wait and stay. Matched as a prefix (the text's spaces are gone by
# then), so the list holds no word that begins another (对 of 对不起, 亲 of 亲爱的). Saved in the
# model as ``agent_preambles``.
AGENT_PREAMBLES = (
    "好的", "好的呢", "嗯", "嗯嗯", "您好", "你好",
    "您稍等", "请稍等", "请您稍等", "稍等", "稍等一下", "您稍等一下", "请稍等一下", "请您稍等一下", "稍等片刻", "请稍等片刻",
    "我帮您查一下", "我帮您查询一下", "我这边帮您查一下", "我这边帮您查询一下", "帮您查一下", "帮您查询一下",
    "我帮您看一下", "我这边帮您看一下", "帮您看一下", "我查一下", "我看一下", "这边帮您查询一下", "我来帮您查一下",
)
_SEPARATORS = r"[\s\W_]*"


@lru_cache(maxsize=4)
def lead_in(preambles: tuple[str, ...]) -> "re.Pattern[str] | None":
    """The pattern of a turn's lead-in (``preambles`` and separators, from the start)."""
    if not preambles:
        return None
    alt = "|".join(re.escape(w) for w in sorted(set(preambles), key=lambda w: (-len(w), w)))
    return re.compile(f"(?:{_SEPARATORS}(?:{alt}))+{_SEPARATORS}")


# auxiliary targets from STC-3's annotations (voc.training.resolved): the task-accomplished score
# A (as in 1.0.0), satisfaction S, effectiveness E, and whether the helpdesk gave / the customer reported
# a solution (HNUG* / CNUG* nuggets)
AUX = ("A", "S", "E", "H", "C")


def without_agent_formulas(turns: Sequence[Turn], formulas: Formulas | None,
                           preambles: "re.Pattern[str] | None" = None) -> Sequence[Turn]:
    """The turns without the agent and bot turns made only of service formulas (all of them when
    ``formulas`` is None); with ``preambles`` (``lead_in``), an agent turn's lead-in goes too when
    an answer follows it in the turn."""
    if formulas is None:
        return turns
    out = []
    for t in turns:
        if t.speaker not in ("agent", "bot") or not t.text:
            out.append(t)
        elif not formulas.is_formula(t.text):
            out.append(t if preambles is None else _answer_of(t, preambles))
    return tuple(out)


def _answer_of(t: Turn, preambles: "re.Pattern[str]") -> Turn:
    """``t`` from the end of its lead-in, when an answer follows (``t`` itself otherwise)."""
    m = preambles.match(t.text)
    if m is None or not m.end() or m.end() == len(t.text):
        return t
    return Turn(t.speaker, t.text[m.end():], t.at)


def exchange_features(turns: Sequence[Turn], rx: dict[str, "re.Pattern[str]"]) -> list[float]:
    """Indicators of the final exchange: does the dialogue end on an unanswered agent question or
    request for details, a fix to try, a referral, a call-back or 私信 promise; does the customer's
    last turn accept, complain again or just supply details; does a later customer turn report the
    problem gone; was a suggestion noted; was a question answered outright."""
    def has(name: str, text: str) -> bool:
        return bool(text) and rx[name].search(text) is not None

    sp = [t.speaker for t in turns if t.text and t.speaker != "system"]
    a = [t.text for t in turns if t.speaker in ("agent", "bot") and t.text]
    c = [t.text for t in turns if t.speaker == "customer" and t.text]
    la, lc = (a[-1] if a else ""), (c[-1] if len(c) > 1 else "")
    c0, later = (c[0] if c else ""), c[1:]
    agent_last = bool(sp) and sp[-1] in ("agent", "bot")
    calm = bool(lc) and not has("complain", lc)
    f = [agent_last and has("q_end", la), agent_last and has("ask_info", la), has("fix", la),
         agent_last and has("fix", la) and not has("promise", la), has("refer", la), has("promise", la),
         calm and has("accept", lc), has("complain", lc), calm and has("info", lc),
         not agent_last and calm and not has("accept", lc)]
    f = [1.0 if v else 0.0 for v in f]
    f.append(sum(1 for t in a if has("ask_info", t) or has("q_end", t)) / max(len(a), 1))
    f.append(1.0 if has("complain", c0) else 0.0)
    f.append(1.0 if len(a) == 1 and len(c) <= 1 else 0.0)
    f.append(1.0 if any(has("fixed", t) and not has("not_fixed", t) for t in later) else 0.0)
    f.append(1.0 if has("fixed", lc) and not has("not_fixed", lc) else 0.0)
    f.append(1.0 if has("suggests", c0) and any(has("noted", t) for t in a) else 0.0)
    f.append(1.0 if has("question", c0) and a and not (has("q_end", a[0]) or has("ask_info", a[0]))
             and not has("promise", a[0]) else 0.0)
    f.append(1.0 if any(has("accept", t) and not has("complain", t) for t in later) else 0.0)
    return f


def _same_vocab(a: LinearText, b: LinearText) -> bool:
    """Whether two auxiliary models read the same features (same blocks and vocabularies)."""
    if a is b:
        return True
    if a.blocks != b.blocks or a.dense_weight != b.dense_weight:
        return False
    for k in a.blocks:
        va, vb = a.vocabs_[k], b.vocabs_[k]
        if va is vb:
            continue
        ka, kb = getattr(va, "keys", None), getattr(vb, "keys", None)
        if ka is None or kb is None or not (np.array_equal(ka, kb) and np.array_equal(va.idf, vb.idf)):
            return False
    return True


def check_label(v: Any) -> str:
    """A resolved label (yes / no / unclear, or an alias), or ``InputError``."""
    return checked_label(v, LABELS, LABEL_ALIASES, "resolved label")


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
                 aux_weight: float = 0.5, first_weight: float = 1.0, exchange_weight: float = 2.0,
                 exchange: dict[str, str] | None = None, agent_formulas: Sequence[str] | None = None,
                 agent_preambles: Sequence[str] | None = None):
        self.C, self.last_weight, self.side_weight, self.cue_weight = C, last_weight, side_weight, cue_weight
        self.min_df, self.cv, self.random_state = min_df, cv, random_state
        self.cues = {k: tuple(v) for k, v in (cues or CUES).items()}
        self.aux_weight, self.first_weight, self.exchange_weight = aux_weight, first_weight, exchange_weight
        self.exchange = dict(exchange or EXCHANGE)
        # None: AGENT_FORMULAS and closings.tsv's customer formulas as read now (then saved with the model)
        self.agent_formulas = tuple((*AGENT_FORMULAS, *default_formulas().formulas) if agent_formulas is None
                                    else agent_formulas)
        self.agent_preambles = tuple(AGENT_PREAMBLES if agent_preambles is None else agent_preambles)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"C": self.C, "last_weight": self.last_weight, "side_weight": self.side_weight,
                "cue_weight": self.cue_weight, "min_df": self.min_df, "cv": self.cv,
                "random_state": self.random_state, "cues": {k: list(v) for k, v in self.cues.items()},
                "aux_weight": self.aux_weight, "first_weight": self.first_weight,
                "exchange_weight": self.exchange_weight, "exchange": dict(self.exchange),
                "agent_formulas": list(self.agent_formulas), "agent_preambles": list(self.agent_preambles)}

    def _linear(self, main: bool = True) -> LinearText:
        """The main model's blocks (with the first customer turn), or an auxiliary model's."""
        blocks = {"last_agent": (1, 2, self.last_weight), "last_customer": (1, 2, self.last_weight),
                  "agent": (2, 2, self.side_weight)}
        if main and self.first_weight:
            blocks["first_customer"] = (1, 2, self.first_weight)
        return LinearText(blocks, C=self.C, min_df=self.min_df, dense_weight=self.cue_weight)

    def _with_aux(self, inputs: dict[str, list], dense: np.ndarray, grams: dict | None = None) -> np.ndarray:
        """The dense features plus each auxiliary (STC-3) model's logit. The auxiliary models
        read the cue columns only (the first ``len(cues) + 5``). ``grams``: the blocks' character
        n-gram keys, shared with the main model's design (``LinearText.design``)."""
        aux = getattr(self, "aux_", None) or {}
        if not aux:
            return dense
        base = dense[:, :len(self.cues) + 5]
        names = [n for n in AUX if n in aux]
        first = aux[names[0]]
        same = getattr(self, "aux_same_", None)
        if same is None:  # checked once per fitted or loaded model
            same = self.aux_same_ = {n: _same_vocab(aux[n], first) for n in names}
        shared = first.design(inputs, base, grams)  # the auxiliary models share their vocabularies (one batch design)
        cols = []
        for name in names:
            m = aux[name]
            X = shared if same[name] else m.design(inputs, base, grams)
            z = np.asarray(X @ transposed(m, "coef_")) + m.intercept_
            cols.append((z[:, 1] - z[:, 0]) * self.aux_weight)
        return np.hstack([dense, np.column_stack(cols)])

    def _inputs(self, X: Sequence[Sequence[Turn]]) -> tuple[dict[str, list], np.ndarray]:
        cues = [(side, compile_scanning(p)) for side, p in self.cues.values()]
        rx = {k: compile_scanning(p) for k, p in self.exchange.items()}
        last_a, last_c, agent, first = [], [], [], []
        nb = len(cues) + 5
        dense = np.zeros((len(X), nb + N_EXCHANGE))
        formulas = matcher(self.agent_formulas)  # (None: every agent turn counts)
        preambles = lead_in(self.agent_preambles)
        for i, turns in enumerate(X):
            turns = without_agent_formulas(turns, formulas, preambles)
            a = [t.text for t in turns if t.speaker in ("agent", "bot") and t.text]
            c = [t.text for t in turns if t.speaker == "customer" and t.text]
            la, lc = (a[-1] if a else ""), (c[-1] if len(c) > 1 else "")  # a first turn is no reply
            last_a.append(la)
            last_c.append(lc)
            agent.append("。".join(a)[-400:])
            first.append(c[0][:200] if c else "")
            for j, (side, r) in enumerate(cues):
                if r.search(la if side == "agent" else lc):
                    dense[i, j] = 1.0
            speakers = [t.speaker for t in turns if t.text and t.speaker != "system"]
            dense[i, nb - 5] = 1.0 if speakers and speakers[-1] == "customer" else 0.0
            dense[i, nb - 4] = min(len(speakers), 10) / 5.0
            dense[i, nb - 3] = 1.0 if len(c) > 1 else 0.0
            dense[i, nb - 2] = math.log1p(len(lc)) / 5.0
            dense[i, nb - 1] = math.log1p(len(la)) / 5.0
            dense[i, nb:] = exchange_features(turns, rx)
        dense[:, nb:] *= self.exchange_weight
        return {"last_agent": last_a, "last_customer": last_c, "agent": agent, "first_customer": first}, dense

    def fit(self, X: Sequence[Sequence[Turn]], y: Sequence[str], sample_weight: Sequence[float] | None = None,
            groups: Sequence[Any] | None = None, *, X_aux: Sequence[Sequence[Turn]] | None = None,
            accomplished: Sequence[bool] | None = None,
            aux_targets: dict[str, Sequence[bool]] | None = None) -> "ResolvedClassifier":
        """``X_aux``/``accomplished``: optional dialogues with a binary task-accomplished signal
        (STC-3's mean A > 0); ``aux_targets``: further binary signals on the same dialogues, keyed
        by a name of ``AUX`` (S, E, H, C). A logistic model trained on each gives the main model
        one more feature (its logit), so the hand labels decide how far to trust it."""
        dialogues = [tuple(t) for t in X]
        yi = np.array([LABELS.index(check_label(v)) for v in y])
        w = np.ones(len(dialogues)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.aux_, self.aux_same_ = {}, None
        if X_aux is not None and len(X_aux):
            targets = dict(aux_targets or {})
            if accomplished is not None:
                targets["A"] = accomplished
            unknown = set(targets) - set(AUX)
            if unknown:
                raise InputError(f"unknown auxiliary targets {sorted(unknown)}; use names of {', '.join(AUX)}.")
            ai, ad = self._inputs([tuple(t) for t in X_aux])
            ad = ad[:, :len(self.cues) + 5]
            for name in AUX:
                if name in targets:
                    self.aux_[name] = self._linear(False).fit(ai, ad, np.asarray(targets[name], dtype=int), 2)
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
        grams: dict = {}  # each block's character n-grams computed once for the main and auxiliary models
        return self.model_.proba(inputs, self._with_aux(inputs, dense, grams), grams)

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
        if self.aux_:
            config["aux"] = {name: m.params() for name, m in self.aux_.items()}
            shared: dict[str, np.ndarray] = {}  # vocabulary arrays written once when the models share them
            for name, m in self.aux_.items():
                for k, v in m.arrays().items():
                    if k.startswith(("keys_", "idf_")):
                        if k not in shared:
                            shared[k] = arrays[f"auxshared_{k}"] = v
                            continue
                        if np.array_equal(shared[k], v):
                            continue
                    arrays[f"aux{name}_{k}"] = v
        return save_folder(folder, name=NAME, version=version, config=config, arrays=arrays,
                           card=card or f"# Resolved model {version}\n",
                           description=description or "resolved within the contact (voc.estimators.resolved)",
                           data_sources=data_sources, metrics=metrics)

    @classmethod
    def load(cls, folder: str | Path) -> "ResolvedClassifier":
        config, arrays, manifest = load_folder(folder, name=NAME, fmt=FORMAT)
        try:
            # (older models: every agent turn, as said)
            model = cls(**{"agent_formulas": (), "agent_preambles": (), **config["params"]})
            model.model_ = LinearText.from_parts(config["linear"], config["temperature"], arrays)
            model.n_train_ = config.get("training")
            model.dev_ = None
            model.aux_, model.aux_same_ = {}, None
            for name, params in (config.get("aux") or {}).items():
                if name not in AUX:
                    raise ValueError(f"auxiliary model {name!r}")
                pre = f"aux{name}_"
                parts = {k[len("auxshared_"):]: v for k, v in arrays.items() if k.startswith("auxshared_")}
                parts.update({k[len(pre):]: v for k, v in arrays.items() if k.startswith(pre)})
                model.aux_[name] = LinearText.from_parts(params, 1.0, parts)
            if tuple(config["classes"]) != LABELS:
                raise ValueError(f"classes {config['classes']}")
        except (KeyError, ValueError, TypeError) as e:
            raise ModelError(f"{folder} is not a valid resolved model ({type(e).__name__}: {e}); rebuild it.") from None
        model.manifest_ = manifest
        return model
