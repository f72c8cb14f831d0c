#!/usr/bin/env bash
# Validates `beautylint check --format sarif` output with Microsoft's SARIF
# Multitool (the SARIF SDK's validator, with its GitHub-ingestion rules).
#
# Not part of `cargo test`: it needs npm and ~100 MB of download. The
# `cargo test` suite validates the same output against the vendored SARIF
# 2.1.0 JSON schema (tests/formats.rs).
#
# Usage: scripts/sarif-multitool-check.sh [PATH]...     (default: fixtures/)
# Env:   MULTITOOL_DIR  a directory to install @microsoft/sarif-multitool in
#                       (reused when it already has it; default: a temp dir)
#
# Exit status: 0 when the Multitool reports no `error` line, 1 otherwise.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
paths=("$@")
[ ${#paths[@]} -eq 0 ] && paths=(fixtures/)

dir=${MULTITOOL_DIR:-$(mktemp -d)}
mt="$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -e "$mt" ]; then
    (cd "$dir" && npm install --silent --no-audit --no-fund @microsoft/sarif-multitool >/dev/null)
fi
chmod u+x "$mt"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Exit code 1 (findings) is expected; 2 is a real failure.
(cd "$root" && cargo run --quiet -- check --format sarif --output-file "$work/out.sarif" "${paths[@]}") || [ $? -eq 1 ]

# The Multitool needs ICU unless told to run invariant.
DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$mt" validate "$work/out.sarif" \
    -o "$work/report.sarif" --rule-kind "Gh;Sarif" | tee "$work/log"
if grep -E ': error [A-Z]+[0-9]+:' "$work/log" >/dev/null; then
    echo "sarif-multitool-check: the Multitool reported errors" >&2
    exit 1
fi
echo "sarif-multitool-check: no errors"
