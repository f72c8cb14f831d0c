#!/usr/bin/env bash
# Runs each fuzz target in turn for FUZZ_SECONDS (default 600) seconds.
#   fuzz/run.sh                 # all targets: markdown html pack lint config
#   FUZZ_SECONDS=60 fuzz/run.sh lint
# With a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`) it runs
# libFuzzer; new inputs go to fuzz/corpus/<target>/, crashes to
# fuzz/artifacts/<target>/. Without nightly it falls back to the stable
# generator in tests/fuzz.rs with FUZZ_CASES (default 20000) seeded cases.
# Seeds: fixtures/ (for `lint`, once per reader), patterns/ (for `pack`) and
# fuzz/seeds/config/ (for `config`). FUZZ_ARGS adds libFuzzer flags; the
# default runs one process (-jobs=1 -workers=1) so a shared machine keeps a core.
set -euo pipefail
cd "$(dirname "$0")"
secs=${FUZZ_SECONDS:-600}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(markdown html pack lint config)
extra=${FUZZ_ARGS:--jobs=1 -workers=1}

seed() {
    local t=$1 dir=corpus/$1
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir")" ] && return 0
    case $t in
        markdown) cp ../fixtures/md/* "$dir"/ ;;
        html) cp ../fixtures/html/* "$dir"/ ;;
        config) cp seeds/config/* "$dir"/ ;;
        pack) sed 's/^name = "microneedling"/name = "fuzzpack"/' ../patterns/microneedling.toml > "$dir/microneedling.toml" ;;
        lint)
            local k f
            for f in ../fixtures/*/*.*; do
                case $f in *.md|*.markdown) k='\x00' ;; *.htm|*.html) k='\x01' ;; *) k='\x02' ;; esac
                { printf "$k"; cat "$f"; } > "$dir/$(basename "$f")"
            done ;;
    esac
}

if rustup toolchain list 2>/dev/null | grep -q nightly && command -v cargo-fuzz >/dev/null; then
    for t in "${targets[@]}"; do
        seed "$t"
        echo "== $t: ${secs}s"
        cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" \
            -max_len=65536 -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 $extra
    done
else
    echo "no nightly toolchain or cargo-fuzz: running the stable generator" >&2
    cd .. && BEAUTYLINT_FUZZ_CASES=${FUZZ_CASES:-20000} cargo test --release --test fuzz
fi
