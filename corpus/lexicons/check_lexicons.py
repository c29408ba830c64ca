#!/usr/bin/env python3
"""Check voc's lexicons after an edit.

    python corpus/lexicons/check_lexicons.py

* every line of userdict.txt is ``word freq pos``, with no duplicates and no comments
  (jieba's loader would read a comment line as a word);
* with a fresh ``jieba.Tokenizer()`` and the user dictionary loaded, every term comes out
  as ONE token, alone and inside a few carrier sentences;
* stopwords.txt has no duplicates, no blank entries, and none of the negation or
  intensity words that the sentiment stage needs.

For a new term that fails, ``suggest_frequency`` prints the smallest frequency jieba needs
to keep it whole. Prefer that value, or a little more, to a huge number.
"""
import io
import logging
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
USERDICT = os.path.join(HERE, "userdict.txt")
STOPWORDS = os.path.join(HERE, "stopwords.txt")
CARRIERS = ["{w}", "我要{w}", "{w}的问题", "关于{w}的事", "你们{w}了吗", "说{w}", "他们{w}，"]
FORBIDDEN = {"不", "没", "没有", "别", "未", "无", "非", "莫", "勿", "不是", "不会", "不能",
             "不要", "不用", "无法", "很", "非常", "太", "特别", "十分", "极", "极其", "超",
             "超级", "最", "更", "更加", "挺", "真", "好", "比较", "相当", "格外"}
LINE = re.compile(r"^(\S+) (\d+) ([a-z]+)$")


def read_userdict(path=USERDICT):
    entries, problems = [], []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip("\n")
            m = LINE.match(line)
            if not m:
                problems.append("userdict.txt:%d: not 'word freq pos': %r" % (n, line))
                continue
            entries.append((m.group(1), int(m.group(2)), m.group(3)))
    seen = set()
    for word, _, _ in entries:
        if word in seen:
            problems.append("userdict.txt: duplicate %r" % word)
        seen.add(word)
    return entries, problems


def read_stopwords(path=STOPWORDS):
    words, problems = [], []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.rstrip("\n")
            if line.startswith("#"):
                continue
            if not line.strip():
                problems.append("stopwords.txt:%d: blank line" % n)
                continue
            words.append(line)
    seen = set()
    for w in words:
        if w in seen:
            problems.append("stopwords.txt: duplicate %r" % w)
        seen.add(w)
        if w in FORBIDDEN:
            problems.append("stopwords.txt: %r is a negation/intensity word" % w)
    return words, problems


def check_segmentation(entries):
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    tk.load_userdict(io.StringIO("".join("%s %d %s\n" % e for e in entries)))
    problems = []
    for word, _, _ in entries:
        for carrier in CARRIERS:
            sentence = carrier.format(w=word)
            tokens = tk.lcut(sentence)
            if word not in tokens:
                problems.append("%r splits in %r: %s (suggest_freq: %d)" % (
                    word, sentence, "/".join(tokens), suggest_frequency(word)))
                break
    return problems


def suggest_frequency(word):
    import jieba

    tk = jieba.Tokenizer()
    tk.initialize()
    return tk.suggest_freq(word, tune=False)


def main():
    entries, problems = read_userdict()
    words, stop_problems = read_stopwords()
    problems += stop_problems
    problems += check_segmentation(entries)
    for p in problems:
        print(p)
    print("userdict: %d terms; stopwords: %d entries; problems: %d" % (
        len(entries), len(words), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
