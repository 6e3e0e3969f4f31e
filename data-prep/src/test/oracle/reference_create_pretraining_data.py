#!/usr/bin/env python3
"""create_pretraining_data.py of google-research/bert, re-implemented for this project from the published
algorithm (the original imports TensorFlow and is not on this machine; PyPI is unreachable). It keeps the
reference's structure and its per-token Python work: create_training_instances (documents from one-sentence-
per-line files, blank lines between documents; empty documents removed; documents shuffled), the dupe_factor loop,
create_instances_from_document, truncate_seq_pair, create_masked_lm_predictions, the final shuffle, and
write_instance_to_example_files' padding. Tokenization is the project's CPython re-implementation of
tokenization.py (reference_tokenizer.py). Output: one JSON object per instance (the reference writes TFRecords,
which need TensorFlow) with the same feature names. It is the "Python reference" speed baseline of
`bin/mobilebert bench instances`, and prints one JSON summary line: files, bytes, documents, instances, seconds.

  reference_create_pretraining_data.py --input_file A[,B...] --vocab_file V --output_file OUT [--dupe_factor 10] ...
"""
import argparse
import collections
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_tokenizer import Reference, load_vocab  # noqa: E402

MaskedLmInstance = collections.namedtuple("MaskedLmInstance", ["index", "label"])


class TrainingInstance:
    def __init__(self, tokens, segment_ids, masked_lm_positions, masked_lm_labels, is_random_next):
        self.tokens = tokens
        self.segment_ids = segment_ids
        self.is_random_next = is_random_next
        self.masked_lm_positions = masked_lm_positions
        self.masked_lm_labels = masked_lm_labels


class Tokenizer:
    def __init__(self, vocab_file, lower):
        self.vocab = load_vocab(vocab_file)
        self.inv = {v: k for k, v in self.vocab.items()}
        self.ref = Reference(self.vocab, lower)

    def tokenize(self, text):
        return [self.inv[i] for i in self.ref.encode(text)]

    def convert_tokens_to_ids(self, tokens):
        return [self.vocab[t] for t in tokens]


def create_training_instances(input_files, tokenizer, max_seq_length, dupe_factor, short_seq_prob, masked_lm_prob,
                              max_predictions_per_seq, do_whole_word_mask, rng):
    all_documents = [[]]
    for input_file in input_files:
        with open(input_file, encoding="utf-8", errors="replace") as reader:
            for line in reader:
                line = line.strip()
                if not line:
                    all_documents.append([])
                tokens = tokenizer.tokenize(line)
                if tokens:
                    all_documents[-1].append(tokens)
    all_documents = [x for x in all_documents if x]
    rng.shuffle(all_documents)
    vocab_words = list(tokenizer.vocab.keys())
    instances = []
    for _ in range(dupe_factor):
        for document_index in range(len(all_documents)):
            instances.extend(create_instances_from_document(
                all_documents, document_index, max_seq_length, short_seq_prob, masked_lm_prob,
                max_predictions_per_seq, vocab_words, do_whole_word_mask, rng))
    rng.shuffle(instances)
    return instances, len(all_documents)


def create_instances_from_document(all_documents, document_index, max_seq_length, short_seq_prob, masked_lm_prob,
                                   max_predictions_per_seq, vocab_words, do_whole_word_mask, rng):
    document = all_documents[document_index]
    max_num_tokens = max_seq_length - 3
    target_seq_length = max_num_tokens
    if rng.random() < short_seq_prob:
        target_seq_length = rng.randint(2, max_num_tokens)
    instances = []
    current_chunk = []
    current_length = 0
    i = 0
    while i < len(document):
        segment = document[i]
        current_chunk.append(segment)
        current_length += len(segment)
        if i == len(document) - 1 or current_length >= target_seq_length:
            if current_chunk:
                a_end = 1
                if len(current_chunk) >= 2:
                    a_end = rng.randint(1, len(current_chunk) - 1)
                tokens_a = []
                for j in range(a_end):
                    tokens_a.extend(current_chunk[j])
                tokens_b = []
                if len(current_chunk) == 1 or rng.random() < 0.5:
                    is_random_next = True
                    target_b_length = target_seq_length - len(tokens_a)
                    for _ in range(10):
                        random_document_index = rng.randint(0, len(all_documents) - 1)
                        if random_document_index != document_index:
                            break
                    random_document = all_documents[random_document_index]
                    random_start = rng.randint(0, len(random_document) - 1)
                    for j in range(random_start, len(random_document)):
                        tokens_b.extend(random_document[j])
                        if len(tokens_b) >= target_b_length:
                            break
                    num_unused_segments = len(current_chunk) - a_end
                    i -= num_unused_segments
                else:
                    is_random_next = False
                    for j in range(a_end, len(current_chunk)):
                        tokens_b.extend(current_chunk[j])
                truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng)
                assert len(tokens_a) >= 1 and len(tokens_b) >= 1
                tokens = ["[CLS]"] + tokens_a + ["[SEP]"] + tokens_b + ["[SEP]"]
                segment_ids = [0] * (len(tokens_a) + 2) + [1] * (len(tokens_b) + 1)
                tokens, positions, labels = create_masked_lm_predictions(
                    tokens, masked_lm_prob, max_predictions_per_seq, vocab_words, do_whole_word_mask, rng)
                instances.append(TrainingInstance(tokens, segment_ids, positions, labels, is_random_next))
            current_chunk = []
            current_length = 0
        i += 1
    return instances


def create_masked_lm_predictions(tokens, masked_lm_prob, max_predictions_per_seq, vocab_words, do_whole_word_mask, rng):
    cand_indexes = []
    for (i, token) in enumerate(tokens):
        if token == "[CLS]" or token == "[SEP]":
            continue
        if do_whole_word_mask and len(cand_indexes) >= 1 and token.startswith("##"):
            cand_indexes[-1].append(i)
        else:
            cand_indexes.append([i])
    rng.shuffle(cand_indexes)
    output_tokens = list(tokens)
    num_to_predict = min(max_predictions_per_seq, max(1, int(round(len(tokens) * masked_lm_prob))))
    masked_lms = []
    covered_indexes = set()
    for index_set in cand_indexes:
        if len(masked_lms) >= num_to_predict:
            break
        if len(masked_lms) + len(index_set) > num_to_predict:
            continue
        if any(index in covered_indexes for index in index_set):
            continue
        for index in index_set:
            covered_indexes.add(index)
            if rng.random() < 0.8:
                masked_token = "[MASK]"
            elif rng.random() < 0.5:
                masked_token = tokens[index]
            else:
                masked_token = vocab_words[rng.randint(0, len(vocab_words) - 1)]
            output_tokens[index] = masked_token
            masked_lms.append(MaskedLmInstance(index=index, label=tokens[index]))
    masked_lms = sorted(masked_lms, key=lambda x: x.index)
    return output_tokens, [p.index for p in masked_lms], [p.label for p in masked_lms]


def truncate_seq_pair(tokens_a, tokens_b, max_num_tokens, rng):
    while True:
        total_length = len(tokens_a) + len(tokens_b)
        if total_length <= max_num_tokens:
            break
        trunc_tokens = tokens_a if len(tokens_a) > len(tokens_b) else tokens_b
        assert len(trunc_tokens) >= 1
        if rng.random() < 0.5:
            del trunc_tokens[0]
        else:
            trunc_tokens.pop()


def write_instances(instances, tokenizer, max_seq_length, max_predictions_per_seq, output_file):
    with open(output_file, "w", encoding="utf-8") as out:
        for instance in instances:
            input_ids = tokenizer.convert_tokens_to_ids(instance.tokens)
            input_mask = [1] * len(input_ids)
            segment_ids = list(instance.segment_ids)
            while len(input_ids) < max_seq_length:
                input_ids.append(0)
                input_mask.append(0)
                segment_ids.append(0)
            masked_lm_positions = list(instance.masked_lm_positions)
            masked_lm_ids = tokenizer.convert_tokens_to_ids(instance.masked_lm_labels)
            masked_lm_weights = [1.0] * len(masked_lm_ids)
            while len(masked_lm_positions) < max_predictions_per_seq:
                masked_lm_positions.append(0)
                masked_lm_ids.append(0)
                masked_lm_weights.append(0.0)
            out.write(json.dumps({"input_ids": input_ids, "input_mask": input_mask, "segment_ids": segment_ids,
                                  "masked_lm_positions": masked_lm_positions, "masked_lm_ids": masked_lm_ids,
                                  "masked_lm_weights": masked_lm_weights,
                                  "next_sentence_labels": [1 if instance.is_random_next else 0]}) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--input_file", required=True)
    p.add_argument("--output_file", required=True)
    p.add_argument("--vocab_file", required=True)
    p.add_argument("--do_lower_case", type=lambda s: s.lower() == "true", default=True)
    p.add_argument("--do_whole_word_mask", type=lambda s: s.lower() == "true", default=False)
    p.add_argument("--max_seq_length", type=int, default=128)
    p.add_argument("--max_predictions_per_seq", type=int, default=20)
    p.add_argument("--random_seed", type=int, default=12345)
    p.add_argument("--dupe_factor", type=int, default=10)
    p.add_argument("--masked_lm_prob", type=float, default=0.15)
    p.add_argument("--short_seq_prob", type=float, default=0.1)
    a = p.parse_args()
    files = [f for f in a.input_file.split(",") if f]
    start = time.time()
    cpu0 = time.process_time()
    tokenizer = Tokenizer(a.vocab_file, a.do_lower_case)
    rng = random.Random(a.random_seed)
    instances, documents = create_training_instances(files, tokenizer, a.max_seq_length, a.dupe_factor,
                                                     a.short_seq_prob, a.masked_lm_prob, a.max_predictions_per_seq,
                                                     a.do_whole_word_mask, rng)
    write_instances(instances, tokenizer, a.max_seq_length, a.max_predictions_per_seq, a.output_file)
    print(json.dumps({"files": len(files), "bytes": sum(os.path.getsize(f) for f in files), "documents": documents,
                      "instances": len(instances), "seconds": time.time() - start,
                      "cpu_seconds": time.process_time() - cpu0}))


if __name__ == "__main__":
    main()
