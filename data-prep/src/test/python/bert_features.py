"""Second implementation of BERT's fine-tuning featurization and span decoding for the Java tests, written from
run_classifier.py (convert_single_example, _truncate_seq_pair) and run_squad.py (read_squad_examples,
convert_examples_to_features, _improve_answer_span, _check_is_max_context, write_predictions, get_final_text),
on top of the project's Python reference tokenizer (../oracle/reference_tokenizer.py).

  bert_features.py classifier --vocab V --task TASK --data FILE --max-seq-length N --out OUT.json
  bert_features.py squad --vocab V --data FILE [--training] [--v2] [--max-questions N] --out OUT.json
        [--max-seq-length 384 --doc-stride 128 --max-query-length 64]
        [--logits LOGITS.json --null-score-diff-threshold T]
"""
import argparse
import collections
import csv
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
from reference_tokenizer import Reference, load_vocab  # noqa: E402


class Tokenizer:
    def __init__(self, vocab_file, lower=True):
        self.vocab = load_vocab(vocab_file)
        self.inv = {i: t for t, i in self.vocab.items()}
        self.ref = Reference(self.vocab, lower)
        self.lower = lower

    def tokenize(self, text):
        return [self.inv[i] for i in self.ref.encode(text)]

    def basic_tokenize(self, text):
        return self.ref.basic(text)

    def convert_tokens_to_ids(self, tokens):
        return [self.vocab[t] for t in tokens]


# ---------------------------------------------------------------- run_classifier.py

COLUMNS = {  # (header?, text_a, text_b, label) for dev files
    'cola': (False, 3, None, 1), 'sst-2': (True, 0, None, 1), 'mrpc': (True, 3, 4, 0),
    'rte': (True, 1, 2, -1), 'qnli': (True, 1, 2, -1), 'wnli': (True, 1, 2, -1), 'sts-b': (True, 7, 8, -1),
}
LABELS = {'cola': ['0', '1'], 'sst-2': ['0', '1'], 'mrpc': ['0', '1'], 'wnli': ['0', '1'],
          'rte': ['entailment', 'not_entailment'], 'qnli': ['entailment', 'not_entailment'], 'sts-b': None}


def truncate_seq_pair(tokens_a, tokens_b, max_length):
    while True:
        if len(tokens_a) + len(tokens_b) <= max_length:
            break
        if len(tokens_a) > len(tokens_b):
            tokens_a.pop()
        else:
            tokens_b.pop()


def convert_single_example(text_a, text_b, label, label_list, max_seq_length, tokenizer):
    tokens_a = tokenizer.tokenize(text_a)
    tokens_b = None
    if text_b:
        tokens_b = tokenizer.tokenize(text_b)
    if tokens_b:
        truncate_seq_pair(tokens_a, tokens_b, max_seq_length - 3)
    elif len(tokens_a) > max_seq_length - 2:
        tokens_a = tokens_a[0:(max_seq_length - 2)]
    tokens = ['[CLS]'] + tokens_a + ['[SEP]']
    segment_ids = [0] * len(tokens)
    if tokens_b:
        tokens += tokens_b + ['[SEP]']
        segment_ids += [1] * (len(tokens_b) + 1)
    input_ids = tokenizer.convert_tokens_to_ids(tokens)
    input_mask = [1] * len(input_ids)
    while len(input_ids) < max_seq_length:
        input_ids.append(0)
        input_mask.append(0)
        segment_ids.append(0)
    label_id = label_list.index(label) if label_list else 0
    return {'input_ids': input_ids, 'input_mask': input_mask, 'segment_ids': segment_ids, 'label_id': label_id}


def classifier(args):
    tokenizer = Tokenizer(args.vocab)
    header, a, b, l = COLUMNS[args.task]
    with open(args.data, encoding='utf-8-sig') as f:
        lines = list(csv.reader(f, delimiter='\t', quotechar=None))
    if header:
        lines = lines[1:]
    out = [convert_single_example(line[a], line[b] if b is not None else None, line[l], LABELS[args.task],
                                  args.max_seq_length, tokenizer) for line in lines]
    with open(args.out, 'w') as f:
        json.dump(out, f)


# ---------------------------------------------------------------- run_squad.py

def is_whitespace(c):
    return c == ' ' or c == '\t' or c == '\r' or c == '\n' or ord(c) == 0x202F


def read_squad_examples(path, is_training, v2, max_questions):
    with open(path, encoding='utf-8') as f:
        data = json.load(f)['data']
    examples = []
    for entry in data:
        for paragraph in entry['paragraphs']:
            doc_tokens, char_to_word_offset, prev_is_whitespace = [], [], True
            for c in paragraph['context']:
                if is_whitespace(c):
                    prev_is_whitespace = True
                else:
                    if prev_is_whitespace:
                        doc_tokens.append(c)
                    else:
                        doc_tokens[-1] += c
                    prev_is_whitespace = False
                char_to_word_offset.append(len(doc_tokens) - 1)
            for qa in paragraph['qas']:
                if len(examples) >= max_questions:
                    return examples
                start_position = end_position = None
                orig_answer_text = None
                is_impossible = False
                if is_training:
                    if v2:
                        is_impossible = qa['is_impossible']
                    if not is_impossible:
                        answer = qa['answers'][0]
                        orig_answer_text = answer['text']
                        offset = answer['answer_start']
                        start_position = char_to_word_offset[offset]
                        end_position = char_to_word_offset[offset + len(orig_answer_text) - 1]
                        actual = ' '.join(doc_tokens[start_position:(end_position + 1)])
                        cleaned = ' '.join(orig_answer_text.strip().split())
                        if actual.find(cleaned) == -1:
                            continue
                    else:
                        start_position = end_position = -1
                        orig_answer_text = ''
                examples.append({'qas_id': qa['id'], 'question_text': qa['question'], 'doc_tokens': doc_tokens,
                                 'orig_answer_text': orig_answer_text, 'start_position': start_position,
                                 'end_position': end_position, 'is_impossible': is_impossible})
    return examples


def improve_answer_span(doc_tokens, input_start, input_end, tokenizer, orig_answer_text):
    tok_answer_text = ' '.join(tokenizer.tokenize(orig_answer_text))
    for new_start in range(input_start, input_end + 1):
        for new_end in range(input_end, new_start - 1, -1):
            if ' '.join(doc_tokens[new_start:(new_end + 1)]) == tok_answer_text:
                return new_start, new_end
    return input_start, input_end


def check_is_max_context(doc_spans, cur_span_index, position):
    best_score, best_span_index = None, None
    for span_index, doc_span in enumerate(doc_spans):
        end = doc_span.start + doc_span.length - 1
        if position < doc_span.start or position > end:
            continue
        score = min(position - doc_span.start, end - position) + 0.01 * doc_span.length
        if best_score is None or score > best_score:
            best_score, best_span_index = score, span_index
    return cur_span_index == best_span_index


DocSpan = collections.namedtuple('DocSpan', ['start', 'length'])


def convert_examples_to_features(examples, tokenizer, max_seq_length, doc_stride, max_query_length, is_training):
    features, unique_id = [], 1000000000
    for example_index, example in enumerate(examples):
        query_tokens = tokenizer.tokenize(example['question_text'])[0:max_query_length]
        tok_to_orig_index, orig_to_tok_index, all_doc_tokens = [], [], []
        for i, token in enumerate(example['doc_tokens']):
            orig_to_tok_index.append(len(all_doc_tokens))
            for sub_token in tokenizer.tokenize(token):
                tok_to_orig_index.append(i)
                all_doc_tokens.append(sub_token)
        tok_start_position = tok_end_position = None
        if is_training and example['is_impossible']:
            tok_start_position = tok_end_position = -1
        if is_training and not example['is_impossible']:
            tok_start_position = orig_to_tok_index[example['start_position']]
            if example['end_position'] < len(example['doc_tokens']) - 1:
                tok_end_position = orig_to_tok_index[example['end_position'] + 1] - 1
            else:
                tok_end_position = len(all_doc_tokens) - 1
            tok_start_position, tok_end_position = improve_answer_span(
                all_doc_tokens, tok_start_position, tok_end_position, tokenizer, example['orig_answer_text'])
        max_tokens_for_doc = max_seq_length - len(query_tokens) - 3
        doc_spans, start_offset = [], 0
        while start_offset < len(all_doc_tokens):
            length = min(len(all_doc_tokens) - start_offset, max_tokens_for_doc)
            doc_spans.append(DocSpan(start=start_offset, length=length))
            if start_offset + length == len(all_doc_tokens):
                break
            start_offset += min(length, doc_stride)
        for doc_span_index, doc_span in enumerate(doc_spans):
            tokens, token_to_orig_map, token_is_max_context, segment_ids = ['[CLS]'], {}, {}, [0]
            for token in query_tokens:
                tokens.append(token)
                segment_ids.append(0)
            tokens.append('[SEP]')
            segment_ids.append(0)
            for i in range(doc_span.length):
                split_token_index = doc_span.start + i
                token_to_orig_map[len(tokens)] = tok_to_orig_index[split_token_index]
                token_is_max_context[len(tokens)] = check_is_max_context(doc_spans, doc_span_index, split_token_index)
                tokens.append(all_doc_tokens[split_token_index])
                segment_ids.append(1)
            tokens.append('[SEP]')
            segment_ids.append(1)
            input_ids = tokenizer.convert_tokens_to_ids(tokens)
            input_mask = [1] * len(input_ids)
            while len(input_ids) < max_seq_length:
                input_ids.append(0)
                input_mask.append(0)
                segment_ids.append(0)
            start_position = end_position = None
            if is_training and not example['is_impossible']:
                doc_start = doc_span.start
                doc_end = doc_span.start + doc_span.length - 1
                if not (tok_start_position >= doc_start and tok_end_position <= doc_end):
                    start_position = end_position = 0
                else:
                    doc_offset = len(query_tokens) + 2
                    start_position = tok_start_position - doc_start + doc_offset
                    end_position = tok_end_position - doc_start + doc_offset
            if is_training and example['is_impossible']:
                start_position = end_position = 0
            features.append({'unique_id': unique_id, 'example_index': example_index, 'doc_span_index': doc_span_index,
                             'tokens': tokens, 'token_to_orig_map': token_to_orig_map,
                             'token_is_max_context': token_is_max_context, 'input_ids': input_ids,
                             'input_mask': input_mask, 'segment_ids': segment_ids,
                             'start_position': start_position, 'end_position': end_position})
            unique_id += 1
    return features


def get_final_text(pred_text, orig_text, tokenizer):
    def strip_spaces(text):
        ns_chars, ns_to_s_map = [], collections.OrderedDict()
        for i, c in enumerate(text):
            if c == ' ':
                continue
            ns_to_s_map[len(ns_chars)] = i
            ns_chars.append(c)
        return ''.join(ns_chars), ns_to_s_map

    tok_text = ' '.join(tokenizer.basic_tokenize(orig_text))
    start_position = tok_text.find(pred_text)
    if start_position == -1:
        return orig_text
    end_position = start_position + len(pred_text) - 1
    orig_ns_text, orig_ns_to_s_map = strip_spaces(orig_text)
    tok_ns_text, tok_ns_to_s_map = strip_spaces(tok_text)
    if len(orig_ns_text) != len(tok_ns_text):
        return orig_text
    tok_s_to_ns_map = {tok_index: i for i, tok_index in tok_ns_to_s_map.items()}
    orig_start_position = None
    if start_position in tok_s_to_ns_map:
        ns_start_position = tok_s_to_ns_map[start_position]
        if ns_start_position in orig_ns_to_s_map:
            orig_start_position = orig_ns_to_s_map[ns_start_position]
    if orig_start_position is None:
        return orig_text
    orig_end_position = None
    if end_position in tok_s_to_ns_map:
        ns_end_position = tok_s_to_ns_map[end_position]
        if ns_end_position in orig_ns_to_s_map:
            orig_end_position = orig_ns_to_s_map[ns_end_position]
    if orig_end_position is None:
        return orig_text
    return orig_text[orig_start_position:(orig_end_position + 1)]


def get_best_indexes(logits, n_best_size):
    index_and_score = sorted(enumerate(logits), key=lambda x: x[1], reverse=True)
    return [index_and_score[i][0] for i in range(min(n_best_size, len(index_and_score)))]


def compute_softmax(scores):
    if not scores:
        return []
    max_score = max(scores)
    exp_scores = [math.exp(s - max_score) for s in scores]
    total_sum = 0.0
    for x in exp_scores:
        total_sum += x
    return [x / total_sum for x in exp_scores]


def write_predictions(examples, features, results, n_best_size, max_answer_length, tokenizer, v2, threshold):
    by_example = collections.defaultdict(list)
    for feature in features:
        by_example[feature['example_index']].append(feature)
    Prelim = collections.namedtuple('Prelim', ['feature_index', 'start_index', 'end_index', 'start_logit', 'end_logit'])
    Nbest = collections.namedtuple('Nbest', ['text', 'start_logit', 'end_logit'])
    all_predictions, all_nbest, scores_diff = collections.OrderedDict(), collections.OrderedDict(), collections.OrderedDict()
    for example_index, example in enumerate(examples):
        feats = by_example[example_index]
        prelim = []
        score_null, min_null_feature_index, null_start_logit, null_end_logit = 1000000, 0, 0, 0
        for feature_index, feature in enumerate(feats):
            start_logits, end_logits = results[str(feature['unique_id'])]
            if v2:
                feature_null_score = start_logits[0] + end_logits[0]
                if feature_null_score < score_null:
                    score_null, min_null_feature_index = feature_null_score, feature_index
                    null_start_logit, null_end_logit = start_logits[0], end_logits[0]
            for start_index in get_best_indexes(start_logits, n_best_size):
                for end_index in get_best_indexes(end_logits, n_best_size):
                    if start_index >= len(feature['tokens']) or end_index >= len(feature['tokens']):
                        continue
                    if start_index not in feature['token_to_orig_map'] or end_index not in feature['token_to_orig_map']:
                        continue
                    if not feature['token_is_max_context'].get(start_index, False):
                        continue
                    if end_index < start_index or end_index - start_index + 1 > max_answer_length:
                        continue
                    prelim.append(Prelim(feature_index, start_index, end_index, start_logits[start_index],
                                         end_logits[end_index]))
        if v2:
            prelim.append(Prelim(min_null_feature_index, 0, 0, null_start_logit, null_end_logit))
        prelim = sorted(prelim, key=lambda x: (x.start_logit + x.end_logit), reverse=True)
        seen, nbest = {}, []
        for pred in prelim:
            if len(nbest) >= n_best_size:
                break
            feature = feats[pred.feature_index]
            if pred.start_index > 0:
                tok_tokens = feature['tokens'][pred.start_index:(pred.end_index + 1)]
                orig_doc_start = feature['token_to_orig_map'][pred.start_index]
                orig_doc_end = feature['token_to_orig_map'][pred.end_index]
                orig_tokens = example['doc_tokens'][orig_doc_start:(orig_doc_end + 1)]
                tok_text = ' '.join(tok_tokens).replace(' ##', '').replace('##', '')
                tok_text = ' '.join(tok_text.strip().split())
                final_text = get_final_text(tok_text, ' '.join(orig_tokens), tokenizer)
                if final_text in seen:
                    continue
                seen[final_text] = True
            else:
                final_text = ''
                seen[final_text] = True
            nbest.append(Nbest(final_text, pred.start_logit, pred.end_logit))
        if v2 and '' not in seen:
            nbest.append(Nbest('', null_start_logit, null_end_logit))
        if not nbest:
            nbest.append(Nbest('empty', 0.0, 0.0))
        total_scores, best_non_null_entry = [], None
        for entry in nbest:
            total_scores.append(entry.start_logit + entry.end_logit)
            if not best_non_null_entry and entry.text:
                best_non_null_entry = entry
        probs = compute_softmax(total_scores)
        all_nbest[example['qas_id']] = [{'text': e.text, 'probability': probs[i], 'start_logit': e.start_logit,
                                         'end_logit': e.end_logit} for i, e in enumerate(nbest)]
        if not v2:
            all_predictions[example['qas_id']] = nbest[0].text
        else:
            score_diff = score_null - best_non_null_entry.start_logit - best_non_null_entry.end_logit
            scores_diff[example['qas_id']] = score_diff
            all_predictions[example['qas_id']] = '' if score_diff > threshold else best_non_null_entry.text
    return all_predictions, all_nbest, scores_diff


def squad(args):
    tokenizer = Tokenizer(args.vocab)
    examples = read_squad_examples(args.data, args.training, args.v2, args.max_questions)
    features = convert_examples_to_features(examples, tokenizer, args.max_seq_length, args.doc_stride,
                                            args.max_query_length, args.training)
    out = {'qas_ids': [e['qas_id'] for e in examples], 'features': features}
    if args.logits:
        with open(args.logits) as f:
            results = json.load(f)
        preds, nbest, diffs = write_predictions(examples, features, results, 20, 30, tokenizer, args.v2,
                                                args.null_score_diff_threshold)
        out.update({'predictions': preds, 'nbest': nbest, 'null_odds': diffs})
    with open(args.out, 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('mode', choices=['classifier', 'squad'])
    parser.add_argument('--vocab', required=True)
    parser.add_argument('--data', required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('--task')
    parser.add_argument('--max-seq-length', type=int, default=128)
    parser.add_argument('--doc-stride', type=int, default=128)
    parser.add_argument('--max-query-length', type=int, default=64)
    parser.add_argument('--training', action='store_true')
    parser.add_argument('--v2', action='store_true')
    parser.add_argument('--max-questions', type=int, default=10 ** 9)
    parser.add_argument('--logits')
    parser.add_argument('--null-score-diff-threshold', type=float, default=0.0)
    a = parser.parse_args()
    classifier(a) if a.mode == 'classifier' else squad(a)
