#!/bin/sh
# Checks `beautylint server` in a real client: headless Neovim opens a file
# that recommends home rolling and must receive diagnostics.
#   scripts/nvim-check.sh [FILE]     (default: fixtures/md/home-howto-steps.md)
# Needs `nvim` 0.7+ (Debian: apt-get install neovim). Exit 0: diagnostics seen.
set -eu
cd "$(dirname "$0")/.."
command -v nvim >/dev/null || { echo "nvim not found (apt-get install neovim)" >&2; exit 2; }
cargo build --quiet
BEAUTYLINT_FILE="${1:-fixtures/md/home-howto-steps.md}" \
  exec nvim --headless --clean -c 'luafile scripts/nvim-check.lua'
