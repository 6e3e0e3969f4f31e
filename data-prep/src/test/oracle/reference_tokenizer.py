#!/usr/bin/env python3
"""The BERT reference tokenization algorithm (google-research/bert tokenization.py: BasicTokenizer +
WordpieceTokenizer, max_input_chars_per_word=200), re-implemented for this project from the published algorithm
in plain Python 3 with `unicodedata`, because the original file (it imports TensorFlow) is not on this machine.
It deliberately stays as literal as the reference: per-character Python loops, str.lower(), NFD, str.split().
It serves two purposes: a second, Python-side oracle for the Java tokenizer (the Unicode database and the
str.lower()/str.split() semantics are CPython's own), and the "Python reference" speed baseline.

  reference_tokenizer.py --vocab V [--cased] --jsonl IN --out OUT
  reference_tokenizer.py --vocab V [--cased] --bench FILE...     (prints a JSON line: bytes, tokens, seconds)
  reference_tokenizer.py --unicode-table OUT                      (category and lower-cased/stripped form of every
                                                                    code point in CPython, for the Java tests)
"""
import argparse
import json
import sys
import time
import unicodedata

CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
              (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def is_cjk(cp):
    return any(lo <= cp <= hi for lo, hi in CJK_RANGES)


def is_whitespace(ch):
    return ch in (" ", "\t", "\n", "\r") or unicodedata.category(ch) == "Zs"


def is_control(ch):
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def load_vocab(path):
    vocab = {}
    with open(path, encoding="utf-8") as f:
        index = 0
        for line in f:   # lines end at "\n" (and the other universal newlines; BERT vocabs have none of those)
            vocab[line.strip()] = index
            index += 1
    return vocab


class Reference:
    def __init__(self, vocab, lower, max_chars=200):
        self.vocab, self.lower, self.max_chars = vocab, lower, max_chars
        self.unk = vocab["[UNK]"]

    def basic(self, text):
        cleaned = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or is_control(ch):
                continue
            cleaned.append(" " if is_whitespace(ch) else ch)
        spaced = []
        for ch in cleaned:
            spaced.append(" " + ch + " " if is_cjk(ord(ch)) else ch)
        words = []
        for token in "".join(spaced).split():
            if self.lower:
                token = token.lower()
                token = "".join(c for c in unicodedata.normalize("NFD", token) if unicodedata.category(c) != "Mn")
            current = []
            for ch in token:
                if is_punctuation(ch):
                    if current:
                        words.append("".join(current))
                        current = []
                    words.append(ch)
                else:
                    current.append(ch)
            if current:
                words.append("".join(current))
        return " ".join(words).split()

    def wordpiece(self, word):
        if len(word) > self.max_chars:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    def encode(self, text):
        out = []
        for w in self.basic(text):
            out.extend(self.wordpiece(w))
        return out


def unicode_table(out):
    """Per code point: hex, category, and, where do_lower_case changes the character, what it becomes (hex code
    points of NFD(lower(ch)) without Mn; "-" when nothing is left)."""
    with open(out, "w", encoding="utf-8") as f:
        f.write("# python %s unicodedata %s\n" % (sys.version.split()[0], unicodedata.unidata_version))
        for cp in range(0x110000):
            ch = chr(cp)
            form = "".join(c for c in unicodedata.normalize("NFD", ch.lower()) if unicodedata.category(c) != "Mn")
            line = "%X %s" % (cp, unicodedata.category(ch))
            if form != ch:
                line += " " + (" ".join("%X" % ord(c) for c in form) if form else "-")
            f.write(line + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vocab")
    p.add_argument("--cased", action="store_true")
    p.add_argument("--jsonl")
    p.add_argument("--out")
    p.add_argument("--bench", nargs="+")
    p.add_argument("--unicode-table")
    a = p.parse_args()
    if a.unicode_table:
        unicode_table(a.unicode_table)
        return
    ref = Reference(load_vocab(a.vocab), not a.cased)
    if a.jsonl:
        with open(a.jsonl, encoding="utf-8") as f, open(a.out, "w", encoding="utf-8") as o:
            for line in f:
                if line.strip():
                    o.write(" ".join(map(str, ref.encode(json.loads(line)))) + "\n")
        return
    lines, size = [], 0
    for path in a.bench:
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            for line in f.read().split("\n"):
                lines.append(line)
                size += len(line.encode("utf-8")) + 1
    t0 = time.perf_counter()
    tokens = sum(len(ref.encode(line)) for line in lines)
    seconds = time.perf_counter() - t0
    print(json.dumps({"bytes": size, "lines": len(lines), "tokens": tokens, "seconds": seconds}))


if __name__ == "__main__":
    main()
