"""Second implementation of run_squad.py's read_squad_examples (is_training=True, first answer only) for the Java
tests: prints {"examples": {id: [start_position, end_position, len(doc_tokens)]}, "skipped": [ids]}.

usage: squad_examples.py DATASET.json [--v2]
"""
import json
import sys


def is_whitespace(c):
    return c == " " or c == "\t" or c == "\r" or c == "\n" or ord(c) == 0x202F


def main(path, v2):
    with open(path, encoding='utf-8') as f:
        data = json.load(f)['data']
    examples, skipped = {}, []
    for entry in data:
        for paragraph in entry['paragraphs']:
            doc_tokens, char_to_word_offset = [], []
            prev_is_whitespace = True
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
                if v2 and qa.get('is_impossible', False):
                    examples[qa['id']] = [-1, -1, len(doc_tokens)]
                    continue
                answer = qa['answers'][0]
                text = answer['text']
                start = char_to_word_offset[answer['answer_start']]
                end = char_to_word_offset[answer['answer_start'] + len(text) - 1]
                actual = ' '.join(doc_tokens[start:end + 1])
                cleaned = ' '.join(text.strip().split())
                if actual.find(cleaned) == -1:
                    skipped.append(qa['id'])
                    continue
                examples[qa['id']] = [start, end, len(doc_tokens)]
    print(json.dumps({'examples': examples, 'skipped': skipped}))


if __name__ == '__main__':
    main(sys.argv[1], '--v2' in sys.argv[2:])
