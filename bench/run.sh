#!/usr/bin/env bash
# Benchmark: beautylint against ripgrep on the same trigger terms, on
# generated corpora (2k, 20k, 200k files of ~5 KB; 20k files with no trigger
# term; one 10 MB article). Prints a Markdown table.
#
#   bench/run.sh            all corpora (the 200k one only if the disk has room)
#   bench/run.sh --no-200k  skip the 200k corpus (~1.2 GB on disk)
#   bench/run.sh --200k     insist on it
#
# Needs python3, hyperfine, ripgrep and GNU time (Debian: `apt-get install
# hyperfine ripgrep time`; the script installs them when run as root).
# Corpora go to target/bench-corpus/ (not committed); they are deterministic
# and generated once. Rows named *-cached time a repeat run with --cache;
# *-read and *-parse stop each file's work after reading, or parsing.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
GEN=${GEN:-$ROOT/../shared/bench/gen_corpus.py}
OUT=$ROOT/target/bench-corpus
RUNS=${RUNS:-5}
BIG=auto
for a in "$@"; do
  case $a in
    --no-200k) BIG=no ;;
    --200k) BIG=yes ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $a (see --help)" >&2; exit 2 ;;
  esac
done

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v rg >/dev/null || need+=(ripgrep)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing: ${need[*]} — install with: sudo apt-get install ${need[*]}" >&2
    exit 2
  fi
fi
[ -f "$GEN" ] || { echo "corpus generator not found: $GEN (set GEN=)" >&2; exit 2; }

cargo build --release --quiet
BIN=$ROOT/target/release/beautylint
mkdir -p "$OUT"
# The same list the prefilter uses.
"$BIN" debug trigger-terms > "$OUT/terms.txt"

gen() { # name files [extra generator flags]
  local name=$1 files=$2; shift 2
  if [ ! -f "$OUT/$name/meta.json" ]; then
    echo "generating $name ($files files)…" >&2
    python3 "$GEN" --files "$files" --size-kb 5 --force "$@" "$OUT/$name" >/dev/null
  fi
}
gen c2k 2000
gen c20k 20000
gen c20k-none 20000 --shares home=0,negated=0,full=0,none=0 --no-chrome-mentions
if [ $BIG = auto ]; then
  free_kb=$(df -Pk "$OUT" | awk 'NR==2 {print $4}')
  if [ "$free_kb" -gt $((5 * 1024 * 1024)) ] || [ -f "$OUT/c200k/meta.json" ]; then BIG=yes; else BIG=no; fi
fi
[ $BIG = yes ] && gen c200k 200000
# One 10 MB article: the 20k corpus's Markdown articles end to end.
if [ ! -f "$OUT/big/article.md" ]; then
  mkdir -p "$OUT/big"
  { find "$OUT/c20k/articles" -name '*.md' | sort | xargs cat 2>/dev/null || true; } \
    | head -c 10485760 > "$OUT/big/article.md" || true
fi

sets=(c2k c20k c20k-none)
[ $BIG = yes ] && sets+=(c200k)
sets+=(big)
# Repeat runs with --cache, nothing changed since the run that filled it:
# what a CI gate with a kept cache pays for the articles a commit left alone.
sets+=(c20k-cached)
[ $BIG = yes ] && sets+=(c200k-cached)
# The floors under a first run: the same walk, reads and prefilter with no
# parsing (-read), and with each file the prefilter lets through parsed but
# no rule run (-parse). See `--stop-after` in check's source.
sets+=(c20k-read c20k-parse)
cores=$(nproc)
results=$OUT/results
rm -rf "$results"; mkdir -p "$results"
for s in "${sets[@]}"; do
  corpus=${s%-*}; [ "$s" = "${s%-none}" ] || corpus=$s
  dir=$OUT/$corpus/articles; [ $s = big ] && dir=$OUT/big
  args=(check --format json)
  case $s in
    *-read) args+=(--stop-after read) ;;
    *-parse) args+=(--stop-after parse) ;;
  esac
  if [ "${s%-cached}" != "$s" ]; then
    args+=(--cache --cache-dir "$OUT/cache-$corpus")
    rm -rf "$OUT/cache-$corpus"
    echo "filling the cache for $corpus…" >&2
    "$BIN" "${args[@]}" "$dir" >/dev/null || true
  fi
  runs=$RUNS; warmup=1
  # The 200k corpus runs too long to warm up with beautylint: one ripgrep
  # pass puts its files in the page cache instead (a run right after
  # generating or after a reboot would otherwise time the disk).
  case $s in
    c200k) runs=1; warmup=0; rg -F -i -l -f "$OUT/terms.txt" "$dir" >/dev/null || true ;;
    c200k-cached) runs=3 ;;
  esac
  echo "timing $s…" >&2
  # One hyperfine call per round, each timing beautylint then ripgrep once:
  # interleaved, a slow spell of the machine lands on both, not on all the
  # runs of one of them (this VM's speed drifts by ±25% over minutes).
  for round in $(seq $((1 - warmup)) "$runs"); do
    hyperfine --style none --runs 1 --ignore-failure \
      --export-json "$results/$s.round$round.json" \
      -n beautylint "$BIN ${args[*]} $dir > /dev/null" \
      -n rg "rg -F -i -l -f $OUT/terms.txt $dir > /dev/null" >/dev/null
  done
  rm -f "$results/$s.round0.json" # the warm-up round
  /usr/bin/time -f %M -o "$results/$s.rss.beautylint" "$BIN" "${args[@]}" "$dir" >/dev/null || true
  /usr/bin/time -f %M -o "$results/$s.rss.rg" rg -F -i -l -f "$OUT/terms.txt" "$dir" >/dev/null || true
  find "$dir" -type f \( -name '*.md' -o -name '*.html' \) -printf '%s\n' \
    | awk '{n++; b+=$1} END {print n, b}' > "$results/$s.size"
done

python3 - "$results" "$cores" "${sets[@]}" <<'PY'
import json, sys
res, cores, sets = sys.argv[1], sys.argv[2], sys.argv[3:]
print(f"beautylint vs `rg -F -i -l -f terms.txt` (same trigger terms), warm cache, {cores} cores\n")
print("| corpus | files | MB | beautylint s | rg s | ratio | beautylint files/s | beautylint MB/s | rg MB/s | peak RSS beautylint MB | peak RSS rg MB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
import glob, statistics
for s in sets:
    rounds = [
        {x["command"]: x["mean"] for x in json.load(open(f))["results"]}
        for f in sorted(glob.glob(f"{res}/{s}.round*.json"))
    ]
    files, size = map(int, open(f"{res}/{s}.size").read().split())
    mb = size / 1e6
    # Mean times; the ratio is the median of the rounds' own ratios.
    b = statistics.mean(r["beautylint"] for r in rounds)
    g = statistics.mean(r["rg"] for r in rounds)
    ratio = statistics.median(r["beautylint"] / r["rg"] for r in rounds)
    rss = lambda t: int(open(f"{res}/{s}.rss.{t}").read().split()[-1]) / 1024
    print(f"| {s} | {files} | {mb:.0f} | {b:.3f} | {g:.3f} | {ratio:.2f}× | {files/b:,.0f} | {mb/b:.1f} | {mb/g:.1f} | {rss('beautylint'):.0f} | {rss('rg'):.0f} |")
PY
