#!/usr/bin/env bash
# Measures rapporteur side by side with the tools a rapporteur would
# otherwise use, on the same data in the same run, and prints a Markdown
# table of medians, ratios and PASS/FAIL against the targets of
# docs/PERFORMANCE.md.
#
#   benches/compare.sh            # the full run: about 15 minutes, two thirds of it
#                                 # installing the peers (tui-journal builds)
#   benches/compare.sh --quick    # fewer repetitions, to try the script
#
# Environment:
#   RUNS=N          repetitions per measurement (default 10; --quick: 3)
#   PEERS_DIR=DIR   install the peers there and reuse them on the next run
#                   (default: a temporary folder, removed at the end)
#   KEEP_WORK=1     keep the temporary working folder
#
# What it does: builds the release binary and the helper examples; makes
# the data with the project's generator (a 10,000-entry session, 1,000
# sessions of 200 entries, and the same 10,000 entries as a jrnl journal
# and a tui-journal JSON file); installs jrnl from PyPI into a temporary
# venv and tui-journal with `cargo install` into a temporary root;
# installs hyperfine and tmux from Debian if they are missing; then times
#   - floors: spawning `true`, `rapporteur --version`, serde_json parsing
#     the folder's bytes (examples/parse_floor.rs), the tmux harness;
#   - jrnl: add, search a word, export Markdown;
#   - rapporteur: note, search, export md on the 10,000-entry session,
#     list and search over the 1,000-session folder, warm and cold;
#   - in tmux (benches/tmuxbench.py): start → first frame and Enter →
#     entry saved and redrawn, for rapporteur and tui-journal, with their
#     peak memory;
#   - the criterion benches' plain timing loops (keystroke → frame,
#     Enter → durable) with RAPPORTEUR_BENCH_TAILS_ONLY=1.
# The table and the raw results go to target/compare/.
#
# Not part of CI: it is slow and needs the network for the peers.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

QUICK=0
for a in "$@"; do
    case "$a" in
    --quick) QUICK=1 ;;
    -h | --help)
        sed -n '2,35p' "$0"
        exit 0
        ;;
    *)
        echo "compare.sh: unknown argument $a" >&2
        exit 2
        ;;
    esac
done
if [[ $QUICK == 1 ]]; then RUNS=${RUNS:-3}; else RUNS=${RUNS:-10}; fi
TMUX_RUNS=$((RUNS < 5 ? RUNS : RUNS + 5))

say() { printf '\n== %s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------
need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
command -v tmux >/dev/null || need_apt+=(tmux)
if ((${#need_apt[@]})); then
    say "installing ${need_apt[*]} from Debian"
    if [[ $(id -u) == 0 ]]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
    else
        sudo apt-get update -qq
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
    fi
fi
for t in cargo python3 tmux hyperfine; do
    command -v "$t" >/dev/null || {
        echo "compare.sh: $t is needed" >&2
        exit 1
    }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rapporteur-compare.XXXXXX")
if [[ -n ${PEERS_DIR:-} ]]; then
    mkdir -p "$PEERS_DIR"
    PEERS=$(cd "$PEERS_DIR" && pwd)
else
    PEERS=$WORK/peers
    mkdir -p "$PEERS"
fi
SOCKET="rapp-compare-$$"
cleanup() {
    tmux -L "$SOCKET" kill-server 2>/dev/null || true
    if [[ ${KEEP_WORK:-0} == 1 ]]; then
        echo "compare.sh: working folder kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
DATE_START=$(date -u '+%Y-%m-%d %H:%M UTC')
OUT=$ROOT/target/compare
rm -rf "$OUT"
mkdir -p "$OUT/hyperfine"
HF=$OUT/hyperfine
TMUXJSON=$OUT/tmux.json

# --- build -----------------------------------------------------------------
say "building (release)"
cargo build --release --quiet --bin rapporteur --example generate --example parse_floor
R=$ROOT/target/release/rapporteur
GEN=$ROOT/target/release/examples/generate
FLOOR=$ROOT/target/release/examples/parse_floor

# --- data --------------------------------------------------------------------
# The read-only data sets live in target/bench-data, where the criterion
# benches find them too; everything that gets written is a copy in $WORK.
DATA=$ROOT/target/bench-data
mkdir -p "$DATA"
dataset() { # SESSIONS ENTRIES → sets DATASET to the folder
    DATASET=$DATA/sessions-$1x$2
    local have stamp
    have=$({ find "$DATASET" -maxdepth 1 -name '*.json' ! -name '.*' 2>/dev/null || true; } | wc -l)
    stamp=$(cat "$DATASET/.generator" 2>/dev/null || true)
    if [[ $have != "$1" || $stamp != "$("$GEN" --stamp)" ]]; then
        rm -rf "$DATASET" "$DATA/.tmp-sessions-$1x$2"
        "$GEN" "$DATA/.tmp-sessions-$1x$2" "$1" "$2" >&2
        mv "$DATA/.tmp-sessions-$1x$2" "$DATASET"
    fi
}
say "data"
dataset 1 10000
BIG=$DATASET
dataset 1000 200
FOLDER=$DATASET
ID=gen0000000
WORD=judicial
mkdir -p "$WORK/jrnl-data" "$WORK/tj-data" "$WORK/tj-home" "$WORK/tj-config"
"$GEN" "$WORK/none" 0 10000 --jrnl "$WORK/jrnl-data/journal.txt" \
    --tjournal "$WORK/tj-data/entries.json" >&2
cp -r "$BIG" "$WORK/r-cli"
cp -r "$BIG" "$WORK/r-tmux"
# The session files only: the folder also holds the summary cache.
FOLDER_BYTES=$(cat "$FOLDER"/*.json | wc -c)

# --- peers -------------------------------------------------------------------
say "jrnl (PyPI, into a venv)"
if [[ ! -x $PEERS/jrnl-venv/bin/jrnl ]]; then
    python3 -m venv "$PEERS/jrnl-venv"
    "$PEERS/jrnl-venv/bin/pip" install --quiet --disable-pip-version-check jrnl
fi
JRNL=$PEERS/jrnl-venv/bin/jrnl
JRNL_VERSION=$("$PEERS/jrnl-venv/bin/python" -c 'import jrnl; print(jrnl.__version__)')
mkdir -p "$WORK/xdg-config/jrnl" "$WORK/xdg-data"
# jrnl's own defaults (jrnl/config.py), with our journal and no encryption.
cat >"$WORK/xdg-config/jrnl/jrnl.yaml" <<EOF
colors:
  body: none
  date: none
  tags: none
  title: none
default_hour: 9
default_minute: 0
editor: ''
encrypt: false
highlight: true
indent_character: '|'
journals:
  default:
    journal: $WORK/jrnl-data/journal.txt
linewrap: 79
tagsymbols: '#@'
template: false
timeformat: '%F %r'
version: '$JRNL_VERSION'
EOF
jrnl_env() {
    env HOME="$WORK" XDG_CONFIG_HOME="$WORK/xdg-config" XDG_DATA_HOME="$WORK/xdg-data" "$@"
}
# A first run checks the configuration and the journal.
n=$(jrnl_env "$JRNL" -contains "$WORD" --format short 2>/dev/null | wc -l)
echo "jrnl $JRNL_VERSION: $n entries contain \"$WORD\"" >&2

say "tui-journal (cargo install, a few minutes)"
if [[ ! -x $PEERS/tj/bin/tjournal ]]; then
    cargo install --quiet tui-journal --root "$PEERS/tj"
fi
TJ_VERSION=$("$PEERS/tj/bin/tjournal" --version | awk '{print $NF}')
TJ_CMD="env HOME=$WORK/tj-home XDG_CONFIG_HOME=$WORK/tj-home/.config XDG_STATE_HOME=$WORK/tj-home/.local/state XDG_DATA_HOME=$WORK/tj-home/.local/share $PEERS/tj/bin/tjournal -c $WORK/tj-config -j $WORK/tj-data/entries.json -b json"

# --- in-process benches --------------------------------------------------------
say "criterion benches, plain timing loops (capture, store)"
RAPPORTEUR_BENCH_TAILS_ONLY=1 cargo bench --quiet --bench capture 2>/dev/null | tee "$OUT/capture.txt" >&2
RAPPORTEUR_BENCH_TAILS_ONLY=1 cargo bench --quiet --bench store 2>/dev/null | tee "$OUT/store.txt" >&2

# --- command-line timings -----------------------------------------------------
hf() { # NAME ARGS... : hyperfine one command into $HF/NAME.json
    local name=$1
    shift
    hyperfine --style basic --export-json "$HF/$name.json" "$@" >&2
}
say "floors"
hf true -N --warmup 10 --runs $((RUNS * 10)) true
hf version -N --warmup 5 --runs $((RUNS * 5)) "$R --version"

say "jrnl"
# jrnl reads its configuration and journal through these variables; the
# whole hyperfine runs with them, so the timed command is jrnl alone.
jrnl_hf() { # NAME ARGS...
    local name=$1
    shift
    jrnl_env hyperfine --style basic --export-json "$HF/$name.json" "$@" >&2
}
jrnl_hf jrnl_add -N --warmup 1 --runs "$RUNS" "$JRNL 'The facilitator opened the session on the draft law.'"
jrnl_hf jrnl_search -N --warmup 1 --runs "$RUNS" "$JRNL -contains $WORD"
jrnl_hf jrnl_export -N --warmup 1 --runs "$RUNS" "$JRNL --export md"

say "rapporteur on the 10,000-entry session"
hf r_note -N --warmup 2 --runs $((RUNS * 3)) \
    "$R --sessions-dir $WORK/r-cli note $ID 'The facilitator opened the session on the draft law.'"
hf r_search -N --warmup 2 --runs $((RUNS * 3)) "$R --sessions-dir $WORK/r-cli search $WORD"
hf r_export -N --warmup 2 --runs $((RUNS * 3)) "$R --sessions-dir $WORK/r-cli export $ID --format md"

say "rapporteur on 1,000 sessions of 200 entries ($FOLDER_BYTES bytes), warm"
# The summary cache (.summaries) is written by the warm-up runs; the
# "no cache" rows delete it before every run, as on a first `list`.
NOCACHE="rm -f $FOLDER/.summaries"
hf r_list -N --warmup 2 --runs "$RUNS" "$R --sessions-dir $FOLDER list"
hf r_search_folder -N --warmup 2 --runs "$RUNS" "$R --sessions-dir $FOLDER search $WORD"
hf r_list_nocache -N --prepare "$NOCACHE" --runs "$RUNS" "$R --sessions-dir $FOLDER list"
hf r_search_folder_nocache -N --prepare "$NOCACHE" --runs "$RUNS" "$R --sessions-dir $FOLDER search $WORD"
hf floor_ignored -N --warmup 2 --runs "$RUNS" "$FLOOR ignored $FOLDER"
hf floor_value -N --warmup 2 --runs "$RUNS" "$FLOOR value $FOLDER"

if (echo 1 >/proc/sys/vm/drop_caches) 2>/dev/null; then
    say "the same, cold (page cache dropped before each run)"
    DROP='sync; echo 3 > /proc/sys/vm/drop_caches'
    CRUNS=$((RUNS < 5 ? RUNS : 5))
    hf r_list_cold --prepare "$DROP" --runs "$CRUNS" "$R --sessions-dir $FOLDER list > /dev/null"
    hf r_search_folder_cold --prepare "$DROP" --runs "$CRUNS" "$R --sessions-dir $FOLDER search $WORD > /dev/null"
    hf r_list_cold_nocache --prepare "$NOCACHE; $DROP" --runs "$CRUNS" "$R --sessions-dir $FOLDER list > /dev/null"
    hf r_search_folder_cold_nocache --prepare "$NOCACHE; $DROP" --runs "$CRUNS" "$R --sessions-dir $FOLDER search $WORD > /dev/null"
    # Leave the cache as the warm runs had it.
    "$R" --sessions-dir "$FOLDER" list >/dev/null
    hf floor_ignored_cold --prepare "$DROP" --runs "$CRUNS" "$FLOOR ignored $FOLDER"
    hf floor_value_cold --prepare "$DROP" --runs "$CRUNS" "$FLOOR value $FOLDER"
else
    echo "compare.sh: cannot drop the page cache (not root?): no cold runs" >&2
fi

# --- in tmux -----------------------------------------------------------------
say "tmux: harness floor, first frame, Enter → saved, peak memory"
tb() { python3 "$ROOT/benches/tmuxbench.py" --socket "$SOCKET" --out "$TMUXJSON" "$@"; }
tb --name floor_start --runs $((TMUX_RUNS * 2)) floor-start
tb --name floor_key --runs $((TMUX_RUNS * 2)) floor-key
R_OPEN="$R --sessions-dir $WORK/r-tmux open $ID"
tb --name r_first_frame --runs "$TMUX_RUNS" --marker "Block 1 of 5" --marker "Enter commit" \
    --quit C-q --cmd "$R_OPEN" first-frame
# The same without the first-screen record (docs/PERFORMANCE.md): as on
# the first open after another tool changed the file.
tb --name r_first_frame_norecord --runs "$TMUX_RUNS" --marker "Block 1 of 5" --marker "Enter commit" \
    --quit C-q --prepare "rm -f $WORK/r-tmux/.*.screen" --cmd "$R_OPEN" first-frame
tb --name tj_first_frame --runs "$TMUX_RUNS" --marker "/1000" --marker "Exit: 'q'" \
    --quit q --cmd "$TJ_CMD" first-frame
tb --name r_add --runs "$TMUX_RUNS" --app rapporteur --watch-dir "$WORK/r-tmux" \
    --marker "Enter commit" --quit C-q --cmd "$R_OPEN" add
tb --name tj_add --runs "$TMUX_RUNS" --app tjournal --watch-dir "$WORK/tj-data" \
    --marker "/1000" --quit q --cmd "$TJ_CMD" add

# --- the table ---------------------------------------------------------------
say "table"
cat >"$OUT/machine.txt" <<EOF
date: $DATE_START to $(date -u '+%H:%M UTC')
cpu: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
memory: $(free -h | awk '/^Mem:/ {print $2}')
disk: $(df -h "$ROOT/target" | awk 'NR==2 {print $1 ", " $2 " (" $5 " used)"}')
kernel: $(uname -r)
rustc: $(rustc --version)
peers: jrnl $JRNL_VERSION (Python $(python3 -c 'import platform; print(platform.python_version())')), tui-journal $TJ_VERSION, hyperfine $(hyperfine --version | awk '{print $2}'), tmux $(tmux -V | awk '{print $2}')
data: 10,000-entry session $(du -b "$BIG"/*.json | cut -f1) bytes; 1,000 × 200 folder $FOLDER_BYTES bytes
runs: $RUNS per command-line timing, $TMUX_RUNS per tmux timing
load average (1, 5, 15 min): $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end
EOF
python3 "$ROOT/benches/table.py" "$OUT" | tee "$OUT/table.md"
echo "compare.sh: results in $OUT" >&2
