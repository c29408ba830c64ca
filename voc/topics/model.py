"""Topic models: gensim LDA over customer-side jieba tokens, saved and used without pickle.

Fitting (``TopicModel.fit``) takes the customer tokens that the ``segment`` stage writes
(the project's own jieba tokenizer, user dictionary and stopwords) and:

1. drops numbers, placeholders (〔手机号〕...), one-character tokens and a list of generic
   words that name no problem (``TOPIC_STOPWORDS``: 现在, 已经, 希望, 你们 ...);
2. joins frequent collocations into phrases with gensim ``Phrases`` (NPMI scoring, two
   rounds, so 套餐+被+改 can become 套餐被改);
3. keeps terms found in at least ``no_below`` contacts and at most ``no_above`` of them
   (gensim ``Dictionary.filter_extremes``);
4. fits gensim ``LdaModel`` (single process, ``random_state=seed``); with
   ``num_topics="auto"`` it fits every K of ``k_range`` and keeps the one with the highest
   coherence c_v, recording the curve.

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
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import ConfigError, InputError, ModelError
from ..records import Contact

log = logging.getLogger(__name__)

NAME = "topics"
VERSION = "1.0.0"
FILES = ("topics.json", "dictionary.txt", "topic_term.npy", "alpha.npy", "phrases.json", "preprocess.json",
         "assignments.jsonl", "MODEL_CARD.md", "manifest.json")
PHRASE_JOIN = ""  # 套餐 + 被改 -> 套餐被改 (Chinese is written without spaces)
_PAIR_SEP = " "  # tokens never contain spaces: used inside gensim Phrases only

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


def learn_phrases(docs: Sequence[Sequence[str]], *, rounds: int = 2, min_count: int = 10,
                  threshold: float = 0.5) -> PhraseMerger:
    """Frequent collocations with gensim ``Phrases`` (NPMI score >= ``threshold``)."""
    from gensim.models.phrases import Phrases

    merger = PhraseMerger()
    current = [list(d) for d in docs]
    found: list[list[list[Any]]] = []
    for _ in range(rounds):
        ph = Phrases(current, min_count=min_count, threshold=threshold, scoring="npmi",
                     delimiter=_PAIR_SEP)
        pairs = []
        for phrase, score in ph.export_phrases().items():
            parts = phrase.split(_PAIR_SEP)
            if len(parts) == 2 and parts[0] != parts[1]:
                pairs.append([parts[0], parts[1], float(score)])
        pairs.sort(key=lambda p: (p[0], p[1]))
        if not pairs:
            break
        found.append(pairs)
        merger = PhraseMerger(found)
        current = [PhraseMerger([pairs])(d) for d in current]
    return merger


# -- numerics ----------------------------------------------------------------------------
def _dirichlet_expectation(a):
    """E[log theta] for theta ~ Dir(a), row-wise."""
    import numpy as np
    from scipy.special import psi

    if a.ndim == 1:
        return psi(a) - psi(np.sum(a))
    return psi(a) - psi(np.sum(a, axis=1))[:, None]


def _g(v: float, nd: int = 4) -> float:
    """A float rounded for the JSON files (byte-identical output)."""
    return float(round(float(v), nd))


# -- the model ----------------------------------------------------------------------------
class TopicModel:
    """LDA topic model over customer tokens.

    Settings are stored by the constructor; ``fit`` learns ``vocab_``, ``lambda_``,
    ``alpha_``, ``phrases_``, ``topics_``, ``coherence_`` and ``curve_`` and returns self.

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
                 coherence_topn: int = 10, chunksize: int = 10000, phrases: "PhraseMerger | None" = None):
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

    _PARAMS = ("num_topics", "seed", "k_range", "passes", "iterations", "alpha", "eta", "no_below", "no_above",
               "keep_n", "phrase_rounds", "phrase_min_count", "phrase_threshold", "min_len", "min_terms", "min_weight",
               "max_topics", "label_terms", "coherence_topn", "chunksize")

    def get_params(self) -> dict[str, Any]:
        return {p: getattr(self, p) for p in self._PARAMS}

    def set_params(self, **params: Any) -> "TopicModel":
        for k, v in params.items():
            if k not in self._PARAMS and k != "stopwords":
                raise ConfigError(f"TopicModel has no setting {k!r}; settings are {', '.join(self._PARAMS)}.")
            setattr(self, k, v)
        return self

    # -- preprocessing shared by fit and inference --------------------------------------
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

    # -- fitting ----------------------------------------------------------------------------
    def _check_params(self) -> None:
        k = self.num_topics
        if not (k == "auto" or (isinstance(k, int) and k >= 2)):
            raise ConfigError(f"num_topics must be an integer of at least 2 or 'auto', not {k!r}.")
        if k == "auto":
            a, b, s = self.k_range
            if not (2 <= a <= b and s >= 1):
                raise ConfigError(f"k_range {self.k_range} is invalid; give (start, stop, step) with 2 <= start <= stop.")
        if not (0 < self.no_above <= 1):
            raise ConfigError(f"no_above must be in (0, 1], not {self.no_above}.")

    def fit(self, docs: Sequence[Sequence[str]], ids: Sequence[str] | None = None, *,
            score: bool = True) -> "TopicModel":
        """Fit on the customer tokens of each contact (``ids`` name the contacts for the
        representative examples; default their positions). ``score=False`` skips the
        coherence scores of the chosen model (not allowed with ``num_topics="auto"``)."""
        import numpy as np
        from gensim.corpora import Dictionary

        self._check_params()
        t0 = time.monotonic()
        docs = [list(d) for d in docs]
        ids = [str(i) for i in (ids if ids is not None else range(len(docs)))]
        if len(ids) != len(docs):
            raise ConfigError("ids and docs have different lengths; give one id per document.")
        self._stop_cache = self.stopwords_
        self.phrases_ = None
        cleaned = [clean_tokens(d, self._stop_cache) for d in docs]
        if self.phrases is not None:
            self.phrases_ = self.phrases
        elif self.phrase_rounds:
            self.phrases_ = learn_phrases(cleaned, rounds=self.phrase_rounds, min_count=self.phrase_min_count,
                                          threshold=self.phrase_threshold)
        else:
            self.phrases_ = PhraseMerger()
        texts = [[w for w in self.phrases_(d) if len(w) >= self.min_len and w not in self._stop_cache]
                 for d in cleaned]
        dictionary = Dictionary(texts)
        dictionary.filter_extremes(no_below=self.no_below, no_above=self.no_above, keep_n=self.keep_n)
        if len(dictionary) < 2:
            raise InputError(f"only {len(dictionary)} terms occur in at least {self.no_below} contacts; "
                             f"give more contacts or lower no_below.")
        bows = [dictionary.doc2bow(t) for t in texts]
        keep = [i for i, b in enumerate(bows) if sum(c for _, c in b) >= max(1, self.min_terms)]
        if len(keep) < 10:
            raise InputError(f"only {len(keep)} contacts have topic terms; give at least a few hundred contacts.")
        corpus = [bows[i] for i in keep]
        self.n_docs_ = len(docs)
        self.n_train_docs_ = len(corpus)
        log.info("topics: %d contacts, %d with terms, %d terms, %d phrases", len(docs), len(corpus),
                 len(dictionary), len(self.phrases_.phrases))
        coh_texts = [[w for w in texts[i] if w in dictionary.token2id] for i in keep]

        if self.num_topics == "auto":
            a, b, s = self.k_range
            curve, best = [], None
            for k in range(a, b + 1, s):
                lda = self._train(corpus, dictionary, k)
                per = self._coherence(lda, coh_texts, dictionary, corpus, "c_v", self.coherence_topn, per_topic=True)
                cv = float(np.mean(per))
                curve.append([k, _g(cv)])
                log.info("topics: K=%d c_v=%.4f", k, cv)
                if best is None or round(cv, 4) > round(best[1], 4):
                    best = (k, cv, lda, per)
            self.curve_ = {"measure": "c_v", "topn": self.coherence_topn, "points": curve}
            k, _, lda, per_cv = best
        else:
            self.curve_ = None
            k, lda = self.num_topics, self._train(corpus, dictionary, self.num_topics)
            per_cv = None
        self.k_ = k
        self.passes_used_ = self.passes_for(len(corpus))
        self.vocab_ = [dictionary[i] for i in range(len(dictionary))]
        self.dfs_ = [int(dictionary.dfs.get(i, 0)) for i in range(len(dictionary))]
        self.dict_num_docs_ = int(dictionary.num_docs)
        self.lambda_ = np.asarray(lda.state.get_lambda(), dtype=np.float64)
        self.alpha_ = np.asarray(lda.alpha, dtype=np.float64)
        self._dictionary = dictionary
        self._prepare()
        # coherence of the chosen model
        if not score and per_cv is None:
            per_cv = [float("nan")] * k
            self.coherence_ = None
        else:
            if per_cv is None:
                per_cv = self._coherence(lda, coh_texts, dictionary, corpus, "c_v", self.coherence_topn,
                                         per_topic=True)
            self.coherence_ = self._scores(lda, coh_texts, dictionary, corpus, per_cv)
        theta = self.infer_terms(texts)
        self.assignments_ = list(zip(ids, self.assign_theta(theta)))
        self.topics_ = self._describe(theta, texts, ids, per_cv, corpus, dictionary)
        self.fit_seconds_ = round(time.monotonic() - t0, 1)
        return self

    def _scores(self, lda, coh_texts, dictionary, corpus, per_cv) -> dict[str, Any]:
        import numpy as np

        return {
            "c_v": _g(float(np.mean(per_cv))),
            "u_mass": _g(self._coherence(lda, coh_texts, dictionary, corpus, "u_mass", self.coherence_topn)),
            "c_v_top20": _g(self._coherence(lda, coh_texts, dictionary, corpus, "c_v", 20)),
            "topn": self.coherence_topn,
            "texts": "training contacts' topic terms",
        }

    def _train(self, corpus, dictionary, k: int):
        import numpy as np
        from gensim.models import LdaModel

        t0 = time.monotonic()
        lda = LdaModel(corpus=corpus, id2word=dictionary, num_topics=k, random_state=self.seed,
                       passes=self.passes_for(len(corpus)), iterations=self.iterations, alpha=self.alpha, eta=self.eta,
                       chunksize=self.chunksize, eval_every=None, update_every=1, dtype=np.float64)
        log.info("topics: trained K=%d in %.1f s", k, time.monotonic() - t0)
        return lda

    def passes_for(self, n_docs: int) -> int:
        """``passes`` if set, else about 200,000 document updates in all (5 to 30 passes)."""
        if self.passes:
            return int(self.passes)
        return int(min(30, max(5, -(-200_000 // max(1, n_docs)))))

    def _coherence(self, lda, texts, dictionary, corpus, measure: str, topn: int, per_topic: bool = False):
        from gensim.models import CoherenceModel

        import numpy as np

        lam = np.asarray(lda.state.get_lambda())
        top = [[dictionary[int(i)] for i in np.argsort(-row, kind="stable")[:topn]] for row in lam]
        cm = CoherenceModel(topics=top, texts=texts if measure != "u_mass" else None,
                            corpus=corpus if measure == "u_mass" else None, dictionary=dictionary,
                            coherence=measure, topn=topn, processes=1)
        return cm.get_coherence_per_topic() if per_topic else cm.get_coherence()

    def _prepare(self) -> None:
        """Derived arrays for inference (after fit or load)."""
        import numpy as np

        self.k_ = int(self.lambda_.shape[0])
        self.token2id_ = {w: i for i, w in enumerate(self.vocab_)}
        elog = _dirichlet_expectation(self.lambda_)
        self._expElogbeta_T = np.ascontiguousarray(np.exp(elog).T)  # (V, K)
        self.topic_term_ = self.lambda_ / self.lambda_.sum(axis=1, keepdims=True)
        self._stop_cache = self.stopwords_

    def _describe(self, theta, texts, ids, per_cv, corpus, dictionary) -> list[dict[str, Any]]:
        import numpy as np

        K = self.k_
        has = theta.any(axis=1)
        primary = np.where(has, np.argmax(theta, axis=1), -1)
        n_with = int(has.sum()) or 1
        # term marginal for label relevance
        counts = np.zeros(len(self.vocab_))
        for bow in corpus:
            for i, c in bow:
                counts[i] += c
        pw = counts / counts.sum()
        phi = self.topic_term_
        lengths = np.array([len(t) for t in texts])
        out = []
        labels_seen: set[str] = set()
        for k in range(K):
            order = np.argsort(-phi[k], kind="stable")
            terms = [[self.vocab_[i], _g(phi[k, i], 5)] for i in order[:20]]
            label = self._label(k, phi[k], pw, labels_seen)
            labels_seen.add(label)
            member = np.flatnonzero(primary == k)
            # representative: the highest weight among contacts with at least 5 terms (else any)
            cand = [i for i in member if lengths[i] >= 5] or list(member)
            cand.sort(key=lambda i: (-round(float(theta[i, k]), 6), i))
            out.append({
                "id": k,
                "label": label,
                "terms": terms,
                "share": _g(len(member) / n_with),
                "contacts": int(len(member)),
                "mean_weight": _g(float(theta[has, k].mean()) if has.any() else 0.0),
                "representative": [ids[i] for i in cand[:3]],
                "c_v": _g(per_cv[k]) if per_cv[k] == per_cv[k] else None,
            })
        return out

    def _label(self, k: int, phik, pw, taken: set[str]) -> str:
        """Top terms by relevance (Sievert and Shirley 2014, lambda 0.6) among the topic's
        30 most probable terms, skipping terms that contain or are contained in one already
        chosen; one more term when the label is already taken."""
        import numpy as np

        top = np.argsort(-phik, kind="stable")[:30]
        rel = 0.6 * np.log(phik[top]) + 0.4 * np.log(phik[top] / np.maximum(pw[top], 1e-12))
        ranked = [self.vocab_[i] for i, _ in sorted(zip(top, rel), key=lambda x: (-round(float(x[1]), 9), x[0]))]
        chosen: list[str] = []
        n = self.label_terms
        for w in ranked:
            if any(w in c or c in w for c in chosen):
                continue
            chosen.append(w)
            if len(chosen) >= n and "/".join(chosen) not in taken:
                break
        return "/".join(chosen)

    # -- inference ----------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "lambda_"):
            raise ModelError("this topic model is not fitted; call fit() or TopicModel.load(folder).")

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
                keep = np.isin(row_of, active)
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
                w = _g(row[k])
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
        return [t["label"] for t in self.topics_]

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
        (folder / "MODEL_CARD.md").write_text(model_card or self.model_card(name, version, data_sources),
                                              encoding="utf-8")
        write_manifest(folder, name=name, version=version,
                       description=description or "LDA topic model over customer-side jieba tokens",
                       data_sources=data_sources or [],
                       metrics={"coherence": self.coherence_, **(metrics or {})},
                       num_topics=self.k_, seed=self.seed, segmenter=segmenter_lexicons())
        return folder

    def _dictionary_save(self, path: Path) -> None:
        d = getattr(self, "_dictionary", None)
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
        saved, now = manifest.get("segmenter"), segmenter_lexicons()
        if saved and saved != now:
            log.warning("the segmenter's user dictionary or stopwords changed since topic model %s was trained; "
                        "refit it (voc topics fit, or python -m voc.build topics) if topics look wrong", folder)
        model.name_ = manifest.get("name", NAME)
        model.version_ = manifest.get("version")
        model.folder_ = folder
        model._prepare()
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


def segmenter_lexicons() -> dict[str, str | None]:
    """SHA-256 of the segmenter's user dictionary and stopwords (the tokens a model was
    trained on depend on them)."""
    from ..models import sha256
    from ..resources import corpus_path

    out: dict[str, str | None] = {}
    for name in ("userdict.txt", "stopwords.txt"):
        p = corpus_path("lexicons", name)
        out[name] = sha256(p) if p.is_file() else None
    return out


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


# -- contacts -> tokens ------------------------------------------------------------------
def text_pipeline():
    """normalise -> redact -> segment: the same customer tokens as ``voc tag``."""
    from ..api import load

    return load(disable=("root_cause", "sentiment", "churn", "escalation", "topics"))


def tokenise_contacts(contacts: Iterable[Contact], *, workers: int = 1,
                      batch_size: int = 256) -> tuple[list[str], list[tuple[str, ...]], list[Any]]:
    """(ids, tokens, tagged) of contacts, through the text stages (on ``workers`` processes)."""
    ids, toks, tagged = [], [], []
    for t in text_pipeline().pipe(contacts, workers=workers, batch_size=batch_size):
        if t.status.startswith("error"):
            log.warning("contact %s skipped: %s", t.contact.id, t.status)
            continue
        ids.append(t.contact.id)
        toks.append(tuple(t.tokens or ()))
        tagged.append(t)
    return ids, toks, tagged


def read_inputs(inputs: Sequence[str | Path], **read_options: Any) -> Iterable[Contact]:
    from ..io.readers import RowError, read_contacts

    streams = [read_contacts(p, **read_options) for p in inputs]  # file errors raise here
    for s in streams:
        for item in s:
            if isinstance(item, RowError):
                log.warning("%s: %s", item.source, item.reason)
                continue
            yield item


def fit_contacts(contacts: Iterable[Contact], *, workers: int = 1, **params: Any) -> TopicModel:
    """Fit a ``TopicModel`` on contacts (their customer tokens)."""
    ids, toks, _ = tokenise_contacts(contacts, workers=workers)
    if not toks:
        raise InputError("no contacts to fit topics on; give files with customer text.")
    return TopicModel(**params).fit(toks, ids)


def fit_files(inputs: Sequence[str | Path], output: str | Path, *, num_topics: int | str = "auto", seed: int = 1,
              workers: int = 1, overwrite: bool = False, version: str = VERSION, read_options: dict | None = None,
              **params: Any) -> TopicModel:
    """``voc topics fit``: fit on the contacts of ``inputs`` and write the model folder."""
    model = fit_contacts(read_inputs(inputs, **(read_options or {})), workers=workers, num_topics=num_topics,
                         seed=seed, **params)
    sources = [{"name": Path(p).name, "note": "user input"} for p in inputs]
    model.save(output, version=version, data_sources=sources, overwrite=overwrite,
               description=f"LDA topic model fitted with voc topics fit on {len(inputs)} file(s)")
    return model


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
    for t in info.topics_:
        lines.append(f"{t['id']:>3}  {t['share']:>6.1%}  {t['c_v']:>5.2f}  {_pad(t['label'], 24)}  "
                     f"{' '.join(w for w, _ in t['terms'][:terms])}")
    return "\n".join(lines)


def _pad(s: str, width: int) -> str:
    """Left-align text whose CJK characters take two columns."""
    import unicodedata

    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
    return s + " " * max(0, width - w)


# -- the shipped default model -----------------------------------------------------------
def training_contacts() -> tuple[list[Contact], list[dict[str, Any]]]:
    """The non-reserved complaint and dialogue contacts of ../shared/data: heimao
    train + dev, STC-3 train dialogues with index % 5 != 0 (customer turns are used)."""
    from .. import datasets as ds

    heimao = [c for fn in ("process_category/train.csv", "process_category/dev.csv")
              for c, _ in ds.iter_dataset(ds.HEIMAO, file=fn)]
    stc3 = [c for c, _ in ds.iter_dataset(ds.STC3, file="train_data_cn.json")]
    sources = [
        {"name": ds.HEIMAO, "files": ["process_category/train.csv", "process_category/dev.csv"],
         "rows": len(heimao), "note": "financial complaints; test.csv (reserved) not used"},
        {"name": ds.STC3, "files": ["train_data_cn.json"], "rows": len(stc3),
         "note": "customer turns of dialogues with index % 5 != 0 (reserved ones not used)"},
    ]
    return heimao + stc3, sources


def reserved_contacts() -> list[Contact]:
    """The reserved complaint and dialogue rows (evaluation only)."""
    from .. import datasets as ds

    return ([c for c, _ in ds.iter_dataset(ds.HEIMAO, reserved=True)]
            + [c for c, _ in ds.iter_dataset(ds.STC3, reserved=True)])


def heldout_coherence(model: TopicModel, token_lists: Sequence[Sequence[str]], topn: int | None = None) -> dict:
    """c_v and u_mass of the model's topics measured on other contacts' tokens."""
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    topn = topn or model.coherence_topn
    texts = [[w for w in model.preprocess(t) if w in model.token2id_] for t in token_lists]
    texts = [t for t in texts if t]
    d = Dictionary()
    d.token2id = dict(model.token2id_)
    d.id2token = {}
    topics = [[w for w, _ in t["terms"][:topn]] for t in model.topics_]
    cv = CoherenceModel(topics=topics, texts=texts, dictionary=d, coherence="c_v", topn=topn, processes=1)
    um = CoherenceModel(topics=topics, corpus=[d.doc2bow(t) for t in texts], dictionary=d, coherence="u_mass",
                        topn=topn, processes=1)
    return {"c_v": _g(cv.get_coherence()), "u_mass": _g(um.get_coherence()), "topn": topn, "contacts": len(texts)}


DEFAULT_PARAMS: dict[str, Any] = dict(num_topics="auto", seed=1, k_range=(10, 24, 2))


def build_default(models_root: str | Path) -> Path:
    """Train the shipped topic model on the non-reserved complaint and dialogue texts,
    score its coherence on the training and the reserved texts, write models/topics/<v>/."""
    contacts, sources = training_contacts()
    t0 = time.monotonic()
    ids, toks, _ = tokenise_contacts(contacts, workers=1)
    t_tok = time.monotonic() - t0
    model = TopicModel(**DEFAULT_PARAMS).fit(toks, ids)
    _, rtoks, _ = tokenise_contacts(reserved_contacts(), workers=1)
    held = heldout_coherence(model, rtoks)
    metrics = {"heldout_reserved": held}
    log.info("topics: tokenised in %.0f s, fitted in %.0f s", t_tok, model.fit_seconds_)
    folder = Path(models_root) / NAME / VERSION
    card = _default_card(model, sources, held)
    model.save(folder, version=VERSION, data_sources=sources, metrics=metrics, model_card=card, overwrite=True,
               description="Default topic model: LDA over customer tokens of real complaint and dialogue texts")
    return folder


def _default_card(model: TopicModel, sources: list[dict[str, Any]], held: dict[str, Any]) -> str:
    c = model.coherence_
    curve = " ".join(f"K={k}: {v}" for k, v in (model.curve_ or {}).get("points", []))
    lines = [
        f"# topics {VERSION}: default topic model", "",
        "LDA (gensim `LdaModel`, single process, seed "
        f"{model.seed}) over the customer-side jieba tokens of real complaint and helpdesk dialogue texts.",
        "Built with `python -m voc.build topics` (voc.topics.model.build_default).", "",
        "## Data (non-reserved rows only)", "",
        *[f"- `{s['name']}` {', '.join(s['files'])}: {s['rows']:,} contacts ({s['note']})" for s in sources],
        "",
        "The texts are not redistributed: only the learned vocabulary, topic-term matrix and the ids of",
        "training contacts (`assignments.jsonl`, references into ../shared/data) ship here. Licences:",
        "heimao complaints — none stated; STC-3 dialogue text — non-commercial research use.", "",
        "## Method", "",
        "- tokens: voc's segment stage (project jieba tokenizer, user dictionary, stopwords), customer turns only;",
        "  numbers, placeholders, one-character tokens and the generic words of `preprocess.json` dropped;",
        f"- phrases: gensim `Phrases`, NPMI >= {model.phrase_threshold}, min count {model.phrase_min_count}, "
        f"{model.phrase_rounds} rounds ({len(model.phrases_.phrases)} phrases);",
        f"- dictionary: `filter_extremes(no_below={model.no_below}, no_above={model.no_above}, keep_n={model.keep_n})`"
        f" -> {len(model.vocab_):,} terms;",
        f"- LDA: passes {model.passes_used_}, chunksize {model.chunksize}, iterations {model.iterations}, alpha {model.alpha}, eta {model.eta};",
        f"- K chosen by c_v (top {c['topn']} terms) over {curve}.", "",
        "## Coherence (gensim CoherenceModel, same tokens)", "",
        f"- training texts: c_v {c['c_v']} (top {c['topn']}), c_v {c['c_v_top20']} (top 20), u_mass {c['u_mass']}",
        f"- reserved texts (heimao test.csv + STC-3 reserved dialogues, {held['contacts']:,} contacts with terms): "
        f"c_v {held['c_v']}, u_mass {held['u_mass']}", "",
        "## Limits", "",
        "- Trained on financial complaints (loans, credit cards, collection) and Weibo helpdesk dialogues",
        "  (telecom, phones, travel): topics of other industries map onto the nearest of these; fit your own",
        "  model with `voc topics fit` on your contacts for a production view.",
        "- Topic labels are the most relevant terms, not curated names.", "",
        "## Topics", "", "| id | label | share | c_v | top terms |", "|---|---|---|---|---|",
    ]
    for t in model.topics_:
        lines.append(f"| {t['id']} | {t['label']} | {t['share']:.1%} | {t['c_v']} | "
                     f"{' '.join(w for w, _ in t['terms'][:8])} |")
    return "\n".join(lines) + "\n"
