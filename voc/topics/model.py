"""Topic models: LDA over customer-side jieba tokens, saved and loaded without pickle, used without gensim.

``TopicModel`` holds the settings and, once fitted (``voc.training.topics.fit``) or loaded,
the learned arrays. ``preprocess`` turns a contact's customer tokens (the ``segment``
stage's) into topic terms: numbers, placeholders (〔手机号〕...), one-character tokens and the
generic words of ``TOPIC_STOPWORDS`` dropped, the learned phrases joined (``PhraseMerger``).

A model folder holds only plain files, listed with their SHA-256 in ``manifest.json``::

    topics.json        topics: id, label, top 20 terms with weights, share, representative ids;
                       coherence c_v and u_mass; the K-selection curve; settings
    dictionary.txt     gensim Dictionary.save_as_text (id, term, document frequency)
    topic_term.npy     the variational topic-term parameters lambda (K x V), float64
    alpha.npy          the Dirichlet prior on topic weights (K)
    phrases.json       the phrase pairs of each round, with their NPMI scores
    preprocess.json    the generic-word list and token rules used before the dictionary
    assignments.jsonl  the topics of every training contact (id and [topic, weight] pairs)

Inference (``TopicModel.infer``) is the LDA variational E-step written in numpy from these
arrays (the same update as gensim's ``LdaModel.inference``, from a fixed start instead of a
random one), vectorised over a batch; each contact's result depends only on its own tokens,
so results are the same whatever the batch or the number of worker processes.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import ConfigError, ModelError
from ..text.segment import fingerprint

log = logging.getLogger(__name__)

NAME = "topics"
VERSION = "1.1.0"  # 1.1.0: brand, place and person names out of the vocabulary and labels
FILES = ("topics.json", "dictionary.txt", "topic_term.npy", "alpha.npy", "phrases.json", "preprocess.json",
         "assignments.jsonl", "alignment.json", "MODEL_CARD.md", "manifest.json")
PHRASE_JOIN = ""  # 套餐 + 被改 -> 套餐被改 (Chinese is written without spaces)

# Words that never name a customer problem on their own: pronouns, function words, time
# words, generic verbs of complaining and greetings, provinces and large cities (a place is
# not an issue). Written for voc; the segmenter's own stopwords are removed before this.
TOPIC_STOPWORDS = frozenset("""
我 你 您 他 她 它 我们 你们 您们 他们 她们 它们 咱们 自己 本人 大家 别人 人家 某某 对方
这 那 这个 那个 这些 那些 这样 那样 这么 那么 这种 那种 这边 那边 这里 那里 哪里 哪儿 哪个 哪些 这次 那次
什么 怎么 怎么样 怎样 怎么办 为什么 为啥 为何 干嘛 多少 几个 几次 几天 是否 是不是 有没有 能不能 可不可以
但是 可是 然而 而且 并且 而是 所以 因为 由于 因此 如果 要是 假如 虽然 虽说 即使 就算 还是 或者 或是 以及 及其
然后 之后 之前 以后 以前 后来 最后 最终 起初 开始 当初 当时 那时 此时 此后 随后 同时 其间 期间 过程 中间
已经 一直 还有 还要 还在 又是 也是 都是 就是 只是 不过 只有 只能 才能 然而 甚至 居然 竟然 果然 依然 仍然
非常 特别 十分 比较 相当 真的 真是 确实 实在 根本 完全 总是 一定 必须 应该 应当 可以 可能 能够 不能 不会
不要 不是 没有 没什么 不用 不了 不到 不行 不好 不想 不够 不再 不断 一些 一点 一下 一个 一次 一样 一起 一种
一般 一切 所有 任何 各种 每个 每次 很多 许多 好多 有些 有点 其他 其它 其中 另外 另一个 部分 全部 整个
现在 今天 昨天 前天 明天 今年 去年 当天 当前 目前 至今 如今 最近 近期 刚刚 刚才 马上 立刻 尽快 及时 早就
时候 时间 小时 分钟 上午 下午 晚上 中午 早上 每天 天天 几天 那天 这天 一天 两天 三天 一年 两年 半年 个月 一个月
问题 情况 事情 东西 原因 结果 方面 地方 意思 样子 办法 方式 东西 内容 部分 事儿 事 一件
知道 觉得 感觉 认为 以为 看到 看看 发现 出现 进行 通过 得到 造成 导致 存在 属于 作为 成为 变成 表示 说明
希望 要求 请求 诉求 麻烦 谢谢 感谢 你好 您好 请问 请 亲 哈哈 呵呵 嗯嗯 好的 好吧 好了 可以 行吧 拜托
告诉 说说 说是 听说 回答 回复 答复 联系 打电话 电话 致电 来电 询问 咨询 反映 反馈 投诉 处理 解决 解释
客服 工作人员 人员 官方 微博 私信 转发 评论 回复 关注 客户 用户 消费者 本人 先生 女士 小姐
提供 给予 进行 给出 拿出 做出 作出 需要 要求 进行 采取 造成 产生 发生 出来 过来 起来 下来 上去 进去 回来
真是 实在 简直 到底 究竟 难道 居然 竟 还 又 也 都 就 才 再 很 太 更 最 挺 蛮 好 多 少 大 小
无法 使用 显示 直接 收到 多次 正常 这是 两个 三个 突然 继续 按照 里面 操作 清楚 我要 接受 明确 实际 确认 的话
本来 后面 主动 我会 过去 一张 一共 重新 上面 从来 不管 如此 对于 找到 理解 不上 关于 如何 根据 别的 具体 为了
了解 原来 不让 只要 直到 所谓 于是 既然 没想到 以上 第一 就要 半个 一条 基本 相信 愿意 是因为 确定 剩下 好好
没法 算了 有人 肯定 很大 我用 注意 除了 同样 正在 关系 包括 说好 几年 一份 我于 等到 不知 终于 机会 考虑 其实
差不多 记得 试试 反正 将近 相应 下去 有个 分别 此事 得知 一部分 一句 等等 之类 心里 第一个 简单 重要 第二次
第二天 上次 多年 一周 平时 赶紧 立马 永远 依旧 不停 不然 明白 明明 好像 要么 比如 多谢 遇到 经常 有时候 星期
帮忙 帮助 解决问题 解决不了 没用 说法 选择 一下子 再次 两次 第一次 查看 对此 是因为 怎么回事 咋回事 这句 一句话
年 月 日 号 时 分 秒 元 块 角 个 次 天 周 岁 米 斤 啊 呀 吗 呢 吧 哦 嘛 啦 哈 嗯 的 了 着 过 地 得 和 与 及 或 在 是 有
北京 上海 天津 重庆 广东 广州 深圳 江苏 南京 苏州 浙江 杭州 山东 济南 青岛 河南 郑州 河北 石家庄 湖南 长沙
湖北 武汉 四川 成都 福建 福州 厦门 安徽 合肥 江西 南昌 陕西 西安 山西 太原 辽宁 沈阳 大连 吉林 长春 黑龙江
哈尔滨 云南 昆明 贵州 贵阳 广西 南宁 海南 海口 甘肃 兰州 青海 宁夏 新疆 西藏 内蒙古 香港 澳门 台湾 东莞 佛山
""".split())

_NUMERIC = re.compile(r"^[\d.,:%/+\-×x*#=~]+$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^〔.*〕$")
# the non-digit characters a _NUMERIC token can start with (\d: str.isdecimal)
_NUMERIC_START = frozenset(".,:%/+-×xX*#=~")


# -- preprocessing ------------------------------------------------------------------------
def clean_tokens(tokens: Iterable[str], stopwords: frozenset[str]) -> list[str]:
    """Tokens that can carry a topic: no numbers, placeholders or generic words; Latin
    letters lower-cased (APP and app are one term)."""
    out = []
    for w in tokens:
        if not w:
            continue
        c = w[0]  # cheap tests of the first character before the patterns
        if ((c in _NUMERIC_START or c.isdecimal()) and _NUMERIC.match(w)) or (c == "〔" and _PLACEHOLDER.match(w)):
            continue
        if w.isascii():
            w = w.lower()
        if w in stopwords:
            continue
        out.append(w)
    return out


class PhraseMerger:
    """Joins token pairs found by gensim ``Phrases``, round by round, greedily left to right
    (the same rule as gensim's ``FrozenPhrases`` without connector words)."""

    def __init__(self, rounds: Sequence[Sequence[Sequence[Any]]] = ()):
        # rounds: [[[a, b, score], ...], ...]
        self.rounds = [[(str(a), str(b), float(s)) for a, b, s in r] for r in rounds]
        self._sets = [frozenset((a, b) for a, b, _ in r) for r in self.rounds]
        self._firsts = [frozenset(a for a, _, _ in r) for r in self.rounds]

    def __call__(self, tokens: Sequence[str]) -> list[str]:
        toks = list(tokens)
        for pairs, firsts in zip(self._sets, self._firsts):
            if len(toks) < 2:
                break
            # positions where a pair starts; most contacts have none, or a few
            starts = [i for i, w in enumerate(toks) if w in firsts]
            starts = [i for i in starts if i + 1 < len(toks) and (toks[i], toks[i + 1]) in pairs]
            if not starts:
                continue
            out, pos = [], 0
            for i in starts:
                if i < pos:  # its first token was taken by the pair before (greedy, left to right)
                    continue
                out += toks[pos:i]
                out.append(toks[i] + PHRASE_JOIN + toks[i + 1])
                pos = i + 2
            out += toks[pos:]
            toks = out
        return toks

    def to_json(self) -> dict[str, Any]:
        return {"join": PHRASE_JOIN, "rounds": [[[a, b, round(s, 4)] for a, b, s in r] for r in self.rounds]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PhraseMerger":
        return cls(data.get("rounds", ()))

    @property
    def phrases(self) -> list[str]:
        return [a + PHRASE_JOIN + b for r in self.rounds for a, b, _ in r]


# -- numerics ----------------------------------------------------------------------------
def _dirichlet_expectation(a):
    """E[log theta] for theta ~ Dir(a), row-wise."""
    import numpy as np
    from scipy.special import psi

    if a.ndim == 1:
        return psi(a) - psi(np.sum(a))
    return psi(a) - psi(np.sum(a, axis=1))[:, None]


def rounded(v: float, nd: int = 4) -> float:
    """A float rounded for the JSON files (byte-identical output)."""
    return float(round(float(v), nd))


# -- the model ----------------------------------------------------------------------------
class TopicModel:
    """LDA topic model over customer tokens.

    Settings are stored by the constructor; ``voc.training.topics.fit`` learns ``vocab_``,
    ``lambda_``, ``alpha_``, ``phrases_``, ``topics_``, ``coherence_`` and ``curve_``.

    ``num_topics``: an int, or ``"auto"`` to choose K in ``k_range`` (start, stop, step; stop
    included) by coherence c_v. ``min_weight``/``max_topics``: a contact gets its top topic
    and up to ``max_topics - 1`` more whose weight is at least ``min_weight``.
    """

    def __init__(self, num_topics: int | str = 20, *, seed: int = 1, k_range: tuple[int, int, int] = (8, 30, 2),
                 passes: int | None = None, iterations: int = 100, alpha: str | float = "asymmetric",
                 eta: str | float | None = None, no_below: int = 5, no_above: float = 0.25,
                 keep_n: int = 20000, phrase_rounds: int = 2, phrase_min_count: int = 10,
                 phrase_threshold: float = 0.5, min_len: int = 2, min_terms: int = 3, stopwords: Iterable[str] | None = None,
                 min_weight: float = 0.2, max_topics: int = 3, label_terms: int = 3,
                 coherence_topn: int = 10, chunksize: int = 10000, phrases: "PhraseMerger | None" = None,
                 prior_weight: float = 0.5, keep_names: bool = False, drop_names: bool = False):
        self.num_topics = num_topics
        self.seed = seed
        self.k_range = tuple(k_range)
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.phrase_rounds = phrase_rounds
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.min_len = min_len
        self.min_terms = min_terms
        self.stopwords = stopwords
        self.min_weight = min_weight
        self.max_topics = max_topics
        self.label_terms = label_terms
        self.coherence_topn = coherence_topn
        self.chunksize = chunksize
        self.phrases = phrases  # reuse these phrases instead of learning them (e.g. a reference model's)
        self.prior_weight = prior_weight  # weight of the previous model in a refit (voc.topics.fit._prior)
        self.keep_names = keep_names  # brand, place and person names may be label terms
        self.drop_names = drop_names  # brand, place and person names are not topic terms at all

    _PARAMS = ("num_topics", "seed", "k_range", "passes", "iterations", "alpha", "eta", "no_below", "no_above",
               "keep_n", "phrase_rounds", "phrase_min_count", "phrase_threshold", "min_len", "min_terms", "min_weight",
               "max_topics", "label_terms", "coherence_topn", "chunksize", "prior_weight", "keep_names", "drop_names")

    def get_params(self) -> dict[str, Any]:
        return {p: getattr(self, p) for p in self._PARAMS}

    def set_params(self, **params: Any) -> "TopicModel":
        for k, v in params.items():
            if k not in self._PARAMS and k != "stopwords":
                raise ConfigError(f"TopicModel has no setting {k!r}; settings are {', '.join(self._PARAMS)}.")
            setattr(self, k, v)
        return self

    # -- preprocessing shared by fitting and inference --------------------------------------
    @property
    def stopwords_(self) -> frozenset[str]:
        return frozenset(self.stopwords) if self.stopwords is not None else TOPIC_STOPWORDS

    def preprocess(self, tokens: Sequence[str]) -> list[str]:
        """The topic terms of one contact's tokens (before the dictionary)."""
        stop = self._stop_cache if hasattr(self, "_stop_cache") else self.stopwords_
        toks = clean_tokens(tokens, stop)
        merger = getattr(self, "phrases_", None)
        if merger is not None:
            toks = merger(toks)
        return [w for w in toks if len(w) >= self.min_len and w not in stop]

    def build_inference(self) -> None:
        """Derived arrays for inference (after fit or load)."""
        import numpy as np

        self.k_ = int(self.lambda_.shape[0])
        self.token2id_ = {w: i for i, w in enumerate(self.vocab_)}
        elog = _dirichlet_expectation(self.lambda_)
        self._expElogbeta_T = np.ascontiguousarray(np.exp(elog).T)  # (V, K)
        self.topic_term_ = self.lambda_ / self.lambda_.sum(axis=1, keepdims=True)
        self._stop_cache = self.stopwords_

    # -- inference ----------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "lambda_"):
            raise ModelError("this topic model is not fitted; fit it (voc.training.topics.fit) or load a folder.")

    def bow(self, terms: Sequence[str]) -> tuple[list[int], list[float]]:
        """Sorted term ids and counts of one contact's topic terms (unknown terms dropped)."""
        t2i = self.token2id_
        counts: dict[int, int] = {}
        for w in terms:
            i = t2i.get(w)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        ids = sorted(counts)
        return ids, [float(counts[i]) for i in ids]

    def infer(self, token_lists: Sequence[Sequence[str]]):
        """Topic weights (D x K, rows sum to 1; all zeros for a contact with no known term)
        of contacts given by their customer tokens (the ``tokens`` field)."""
        self._check_fitted()
        return self.infer_terms([self.preprocess(t) for t in token_lists])

    def infer_terms(self, term_lists: Sequence[Sequence[str]], *, max_iter: int = 100, threshold: float = 0.001):
        """Topic weights of contacts given by their topic terms (after ``preprocess``)."""
        import numpy as np

        self._check_fitted()
        D, K = len(term_lists), self.k_
        theta = np.zeros((D, K))
        rows, cols, cts, lens = [], [], [], []
        for d, terms in enumerate(term_lists):
            ids, c = self.bow(terms)
            if ids:
                rows.append(d)
                cols.extend(ids)
                cts.extend(c)
                lens.append(len(ids))
        if not rows:
            return theta
        gamma = self._estep(np.asarray(cols, dtype=np.int64), np.asarray(cts), np.asarray(lens, dtype=np.int64),
                            max_iter=max_iter, threshold=threshold)
        theta[np.asarray(rows)] = gamma / gamma.sum(axis=1, keepdims=True)
        return theta

    def _estep(self, cols, cts, lens, *, max_iter: int = 100, threshold: float = 0.001, gamma0=None):
        """Variational E-step (Hoffman et al.'s update as in gensim ``LdaModel.inference``),
        all contacts at once; a contact stops updating when its own gamma has converged."""
        import numpy as np

        n, K = len(lens), self.k_
        eps = np.finfo(np.float64).eps
        alpha = self.alpha_
        gamma = np.ones((n, K)) if gamma0 is None else np.array(gamma0, dtype=np.float64)
        expElogtheta = np.exp(_dirichlet_expectation(gamma))
        B = self._expElogbeta_T[cols]  # (nnz, K)
        row_of = np.repeat(np.arange(n), lens)
        active = np.arange(n)
        a_lens, a_B, a_cts, a_row = lens, B, cts, np.repeat(np.arange(n), lens)
        for _ in range(max_iter):
            et = expElogtheta[active]  # (a, K)
            phinorm = (et[a_row] * a_B).sum(axis=1) + eps
            W = (a_cts / phinorm)[:, None] * a_B
            starts = np.concatenate(([0], np.cumsum(a_lens)[:-1]))
            S = np.add.reduceat(W, starts, axis=0)
            gnew = alpha + et * S
            change = np.abs(gnew - gamma[active]).mean(axis=1)
            gamma[active] = gnew
            expElogtheta[active] = np.exp(_dirichlet_expectation(gnew))
            still = change >= threshold
            if not still.any():
                break
            if not still.all():
                active = active[still]
                alive = np.zeros(n, dtype=bool)
                alive[active] = True
                keep = alive[row_of]  # the terms of the contacts still updating (np.isin, without its sort)
                a_B, a_cts = B[keep], cts[keep]
                a_lens = lens[active]
                a_row = np.repeat(np.arange(len(active)), a_lens)
        return gamma

    def assign_theta(self, theta) -> list[tuple[tuple[int, float], ...]]:
        """[topic, weight] pairs of each contact: its top topic, and up to ``max_topics - 1``
        more of weight >= ``min_weight``; weights rounded to 4 decimals."""
        import numpy as np

        out = []
        order = np.argsort(-theta, axis=1, kind="stable")
        for d in range(theta.shape[0]):
            row = theta[d]
            if not row.any():
                out.append(())
                continue
            picks = []
            for j, k in enumerate(order[d, :self.max_topics]):
                w = rounded(row[k])
                if j == 0 or w >= self.min_weight:
                    picks.append((int(k), w))
            out.append(tuple(picks))
        return out

    def assign(self, token_lists: Sequence[Sequence[str]]) -> list[tuple[tuple[int, float], ...]]:
        return self.assign_theta(self.infer(token_lists))

    def label(self, k: int) -> str:
        return self.topics_[k]["label"]

    @property
    def labels(self) -> list[str]:
        """Label of each topic: its carried name when the model was aligned to a previous one."""
        a = getattr(self, "alignment_", None)
        return list(a.names) if a is not None else [t["label"] for t in self.topics_]

    @property
    def topic_ids(self) -> list[int]:
        """Stable id of each topic (``alignment.json``), else its index."""
        a = getattr(self, "alignment_", None)
        return list(a.ids) if a is not None else list(range(self.k_))

    def top_terms(self, k: int, n: int = 20) -> list[tuple[str, float]]:
        return [(w, p) for w, p in self.topics_[k]["terms"][:n]]

    # -- persistence --------------------------------------------------------------------
    def topics_json(self, name: str = NAME, version: str = VERSION) -> dict[str, Any]:
        return {
            "model": {"name": name, "version": version},
            "num_topics": self.k_,
            "seed": self.seed,
            "documents": self.n_docs_,
            "documents_with_terms": self.n_train_docs_,
            "vocabulary": len(self.vocab_),
            "phrases": len(self.phrases_.phrases),
            "coherence": self.coherence_,
            "selection": self.curve_,
            "assignment": {"min_weight": self.min_weight, "max_topics": self.max_topics},
            "training": {"passes": getattr(self, "passes_used_", None), "chunksize": self.chunksize,
                         "iterations": self.iterations},
            "params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items()},
            "topics": self.topics_,
        }

    def save(self, folder: str | Path, *, name: str = NAME, version: str = VERSION, description: str = "",
             data_sources: list[dict[str, Any]] | None = None, metrics: dict[str, Any] | None = None,
             model_card: str | None = None, overwrite: bool = False) -> Path:
        """Write the model folder (plain files + manifest.json with checksums)."""
        import numpy as np

        from ..models import write_manifest

        self._check_fitted()
        folder = Path(folder)
        if folder.exists():
            if not folder.is_dir():
                raise ConfigError(f"{folder} is a file; give a folder for the topic model.")
            present = [p for p in folder.iterdir()]
            if present and not overwrite:
                raise ConfigError(f"{folder} is not empty; choose a new folder or pass --overwrite.")
            foreign = [p.name for p in present if p.name not in FILES]
            if foreign:
                raise ConfigError(f"{folder} holds files that are not a topic model's ({', '.join(foreign[:3])}); "
                                  f"choose a new folder.")
            for p in present:
                p.unlink()
        folder.mkdir(parents=True, exist_ok=True)
        self._dictionary_save(folder / "dictionary.txt")
        np.save(folder / "topic_term.npy", np.ascontiguousarray(self.lambda_, dtype=np.float64), allow_pickle=False)
        np.save(folder / "alpha.npy", np.ascontiguousarray(self.alpha_, dtype=np.float64), allow_pickle=False)
        _write_json(folder / "phrases.json", self.phrases_.to_json())
        _write_json(folder / "preprocess.json", {"min_len": self.min_len, "numbers": _NUMERIC.pattern,
                                                 "placeholders": _PLACEHOLDER.pattern,
                                                 "stopwords": sorted(self.stopwords_)})
        _write_json(folder / "topics.json", self.topics_json(name, version))
        with open(folder / "assignments.jsonl", "w", encoding="utf-8", newline="\n") as f:
            for cid, topics in getattr(self, "assignments_", []):
                f.write(json.dumps({"id": cid, "topics": [[k, w] for k, w in topics]}, ensure_ascii=False) + "\n")
        alignment = getattr(self, "alignment_", None)
        if alignment is not None:  # stable topic ids and carried names (voc.topics.align)
            _write_json(folder / "alignment.json", alignment.to_json())
        (folder / "MODEL_CARD.md").write_text(model_card or self.model_card(name, version, data_sources),
                                              encoding="utf-8")
        write_manifest(folder, name=name, version=version,
                       description=description or "LDA topic model over customer-side jieba tokens",
                       data_sources=data_sources or [],
                       metrics={"coherence": self.coherence_, **(metrics or {})},
                       num_topics=self.k_, seed=self.seed, segmenter=fingerprint())
        return folder

    def _dictionary_save(self, path: Path) -> None:
        d = getattr(self, "dictionary_", None)
        if d is None:  # loaded model re-saved: rebuild a gensim Dictionary from the arrays
            from gensim.corpora import Dictionary

            d = Dictionary()
            d.token2id = dict(self.token2id_)
            d.dfs = {i: df for i, df in enumerate(self.dfs_)}
            d.num_docs = self.dict_num_docs_
        d.save_as_text(str(path), sort_by_word=True)

    @classmethod
    def load(cls, folder: str | Path) -> "TopicModel":
        """Load a model folder written by ``save`` (checksums verified, no pickle, no gensim)."""
        import numpy as np

        from ..models import read_json, verify

        folder = Path(folder)
        manifest = verify(folder)
        try:
            info = read_json(folder / "topics.json")
            params = dict(info["params"])
            prep = read_json(folder / "preprocess.json")
            model = cls(**{k: (tuple(v) if k == "k_range" else v) for k, v in params.items()
                           if k in cls._PARAMS}, stopwords=prep["stopwords"])
            model.min_len = int(prep["min_len"])
            model.phrases_ = PhraseMerger.from_json(read_json(folder / "phrases.json"))
            vocab, dfs, num_docs = read_dictionary_text(folder / "dictionary.txt")
            model.lambda_ = np.load(folder / "topic_term.npy", allow_pickle=False)
            model.alpha_ = np.load(folder / "alpha.npy", allow_pickle=False)
            if (folder / "alignment.json").is_file():
                from .align import Alignment

                model.alignment_ = Alignment.from_json(read_json(folder / "alignment.json"))
        except (KeyError, ValueError, TypeError, OSError) as e:
            raise ModelError(f"{folder} is not a valid topic model ({e}); rebuild it with voc topics fit.") from None
        if model.lambda_.ndim != 2 or model.lambda_.shape[1] != len(vocab) or model.alpha_.shape != (
                model.lambda_.shape[0],):
            raise ModelError(f"{folder}: topic_term.npy, alpha.npy and dictionary.txt do not match; rebuild the model.")
        model.vocab_, model.dfs_, model.dict_num_docs_ = vocab, dfs, num_docs
        model.topics_ = info["topics"]
        model.coherence_ = info.get("coherence")
        model.curve_ = info.get("selection")
        model.n_docs_ = info.get("documents")
        model.n_train_docs_ = info.get("documents_with_terms")
        saved, now = manifest.get("segmenter"), fingerprint()
        if saved and saved != now:
            log.warning("the segmenter's user dictionary or stopwords changed since topic model %s was trained; "
                        "refit it (voc topics fit, or python -m voc.build topics) if topics look wrong", folder)
        model.name_ = manifest.get("name", NAME)
        model.version_ = manifest.get("version")
        model.folder_ = folder
        model.build_inference()
        return model

    def model_card(self, name: str = NAME, version: str = VERSION,
                   data_sources: list[dict[str, Any]] | None = None) -> str:
        lines = [f"# {name} {version}: LDA topic model", "",
                 f"{self.k_} topics over {self.n_train_docs_:,} contacts with topic terms "
                 f"({self.n_docs_:,} given), {len(self.vocab_):,} terms, {len(self.phrases_.phrases):,} phrases, "
                 f"seed {self.seed}.", "",
                 f"Coherence: c_v {self.coherence_['c_v']} (top {self.coherence_['topn']} terms), "
                 f"c_v {self.coherence_['c_v_top20']} (top 20), u_mass {self.coherence_['u_mass']}.", ""]
        if data_sources:
            lines += ["## Data", ""] + [f"- {s.get('name')}: {s.get('rows', '')} {s.get('note', '')}".rstrip()
                                        for s in data_sources] + [""]
        lines += ["## Topics", "", "| id | label | share | c_v | top terms |", "|---|---|---|---|---|"]
        for t in self.topics_:
            lines.append(f"| {t['id']} | {t['label']} | {t['share']:.1%} | {t['c_v']} | "
                         f"{' '.join(w for w, _ in t['terms'][:8])} |")
        return "\n".join(lines) + "\n"


def read_dictionary_text(path: Path) -> tuple[list[str], list[int], int]:
    """Parse gensim's ``Dictionary.save_as_text`` format without gensim: vocabulary by id,
    document frequencies, number of documents."""
    with open(path, encoding="utf-8") as f:
        num_docs = int(f.readline().strip())
        entries = []
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            wid, word, df = line.split("\t")
            entries.append((int(wid), word, int(df)))
    n = len(entries)
    vocab: list[str | None] = [None] * n
    dfs = [0] * n
    for wid, word, df in entries:
        if not 0 <= wid < n or vocab[wid] is not None:
            raise ValueError(f"term ids in {path.name} are not 0..{n - 1}")
        vocab[wid], dfs[wid] = word, df
    return [str(w) for w in vocab], dfs, num_docs


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def show_topics(folder: str | Path | None = None, *, terms: int = 8) -> str:
    """``voc topics show``: the topics of a model folder (default: the shipped one) as a table."""
    if folder is None:
        from ..models import find

        folder = find(NAME)
        if folder is None:
            raise ModelError("no topic model ships here; give a model folder written by voc topics fit.")
    info = TopicModel.load(folder)
    coh = info.coherence_ or {}
    lines: list[str] = [f"{getattr(info, 'name_', NAME)} {getattr(info, 'version_', '')}: {info.k_} topics, "
             f"c_v {coh.get('c_v')}, u_mass {coh.get('u_mass')}, {info.n_train_docs_} training contacts"]
    if info.curve_:
        pts = " ".join(f"{k}:{v}" for k, v in info.curve_["points"])
        lines.append(f"K chosen by c_v over {pts}")
    lines.append(f"{'id':>3}  {'share':>6}  {'c_v':>5}  {'label':<24}  top terms")
    for tid, label, t in zip(info.topic_ids, info.labels, info.topics_):
        cv = f"{t['c_v']:>5.2f}" if t.get("c_v") is not None else f"{'':>5}"
        lines.append(f"{tid:>3}  {t['share']:>6.1%}  {cv}  {_pad(label, 24)}  "
                     f"{' '.join(w for w, _ in t['terms'][:terms])}")
    return "\n".join(lines)


def _pad(s: str, width: int) -> str:
    """Left-align text whose CJK characters take two columns."""
    import unicodedata

    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
    return s + " " * max(0, width - w)


