// Tokenizes texts with HF tokenizers configured as BERT's FullTokenizer (BertNormalizer + BertPreTokenizer +
// WordPiece with max_input_chars_per_word = 200 like the reference, instead of HF's default 100).
//
//   node hf_tokenize.js --vocab V [--cased] --jsonl IN --out OUT
//       IN: one JSON string per line; OUT: one line of space-separated ids per text.
//   node hf_tokenize.js --vocab V [--cased] --bench FILE... [--batch 1000]
//       Encodes the lines of the files (batch encoding, like HF's own usage) and prints a JSON object with
//       bytes, tokens and seconds of the timed pass (after an untimed warm-up on the first 10,000 lines).
'use strict';
const fs = require('fs');
const path = require('path');
const tk = require(path.join(process.cwd(), 'node_modules', 'tokenizers'));

function args() {
  const a = { cased: false, batch: 1000, bench: [] };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--vocab') a.vocab = argv[++i];
    else if (k === '--cased') a.cased = true;
    else if (k === '--jsonl') a.jsonl = argv[++i];
    else if (k === '--out') a.out = argv[++i];
    else if (k === '--batch') a.batch = parseInt(argv[++i], 10);
    else if (k === '--bench') { while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) a.bench.push(argv[++i]); }
    else throw new Error('unknown argument ' + k);
  }
  return a;
}

async function tokenizer(a) {
  const model = await tk.WordPiece.fromFile(a.vocab,
      { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 200 });
  const t = new tk.Tokenizer(model);
  t.setNormalizer(tk.bertNormalizer({ cleanText: true, handleChineseChars: true,
                                      stripAccents: !a.cased, lowercase: !a.cased }));
  t.setPreTokenizer(tk.bertPreTokenizer());
  return t;
}

async function encodeAll(t, texts, batch) {
  const out = [];
  for (let i = 0; i < texts.length; i += batch) {
    const encs = await t.encodeBatch(texts.slice(i, i + batch), { addSpecialTokens: false });
    for (const e of encs) out.push(e.getIds());
  }
  return out;
}

async function main() {
  const a = args();
  const t = await tokenizer(a);
  if (a.jsonl) {
    const texts = fs.readFileSync(a.jsonl, 'utf8').split('\n').filter(l => l.length > 0).map(l => JSON.parse(l));
    const ids = await encodeAll(t, texts, a.batch);
    fs.writeFileSync(a.out, ids.map(x => x.join(' ')).join('\n') + '\n');
    return;
  }
  const lines = [];
  let bytes = 0;
  for (const f of a.bench) {
    for (const l of fs.readFileSync(f, 'utf8').split('\n')) { lines.push(l); bytes += Buffer.byteLength(l, 'utf8') + 1; }
  }
  await encodeAll(t, lines.slice(0, 10000), a.batch);
  const t0 = process.hrtime.bigint();
  const ids = await encodeAll(t, lines, a.batch);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let tokens = 0;
  for (const x of ids) tokens += x.length;
  console.log(JSON.stringify({ bytes, lines: lines.length, tokens, seconds }));
}

main().catch(e => { console.error(e); process.exit(1); });
