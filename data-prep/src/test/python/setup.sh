#!/usr/bin/env bash
# Installs what the metric-parity tests' second implementation needs (Debian packages; PyPI is not required).
# The tests skip, with this hint, when these are missing.
set -euo pipefail
apt-get install -y python3-sklearn python3-scipy
