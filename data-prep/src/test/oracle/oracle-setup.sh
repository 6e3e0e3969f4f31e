#!/usr/bin/env bash
# Installs the npm oracle (HF tokenizers, pinned in package.json) into a cache directory and prints that directory.
# Usage: oracle-setup.sh [DIR]   (default: ~/.cache/mobilebert-spark/tokenizer-oracle)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${1:-$HOME/.cache/mobilebert-spark/tokenizer-oracle}"
mkdir -p "$DIR"
if ! cmp -s "$HERE/package.json" "$DIR/package.json" || [ ! -d "$DIR/node_modules/tokenizers" ]; then
  cp "$HERE/package.json" "$DIR/package.json"
  (cd "$DIR" && npm install --no-audit --no-fund --silent >&2)
fi
cp "$HERE/hf_tokenize.js" "$DIR/hf_tokenize.js"
echo "$DIR"
