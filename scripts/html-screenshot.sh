#!/usr/bin/env bash
# Renders the example session's HTML report and takes a screenshot of it
# with headless Chromium, to see the page as a reader will.
#
#   scripts/html-screenshot.sh [OUT.png]
#
# Prints where the HTML and the PNG are. Needs chromium
# (apt-get install -y chromium). Nothing is fetched from the network: the
# report is self-contained and Chromium's own background traffic is off.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

session="$root/sessions/2011-05-19-expert-workshop-on-the-draft-migration-law.json"
work="$(mktemp -d "${TMPDIR:-/tmp}/rapporteur-html.XXXXXX")"
html="$work/report.html"
png="${1:-$work/report.png}"
case "$png" in
/*) ;;
*) png="$PWD/$png" ;;
esac

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then
        browser="$b"
        break
    fi
done
if [[ -z "$browser" ]]; then
    echo "chromium is not installed: apt-get install -y chromium" >&2
    exit 1
fi

echo "building the release binary…" >&2
cargo build --release --quiet

# The release binary's export, once the command line offers --format html;
# until then the library through an ignored test that writes HTML_OUT.
if "$root/target/release/rapporteur" export --help 2>/dev/null | grep -q 'html' &&
    "$root/target/release/rapporteur" export "$session" --format html -o "$html" 2>/dev/null; then
    echo "exported with: rapporteur export --format html" >&2
else
    echo "rapporteur export has no --format html yet; using the library" >&2
    HTML_OUT="$html" cargo test --release --quiet --test export -- --ignored --exact write_example_html >&2
fi
[[ -s "$html" ]] || {
    echo "no HTML was written to $html" >&2
    exit 1
}

profile="$(mktemp -d "${TMPDIR:-/tmp}/rapporteur-chromium.XXXXXX")"
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --screenshot="$png" --window-size=1200,1600 \
    "file://$html" >"$work/chromium.log" 2>&1 || true
if [[ ! -s "$png" ]]; then
    echo "$browser wrote no screenshot to $png; its output:" >&2
    cat "$work/chromium.log" >&2
    exit 1
fi

echo "HTML: $html"
echo "PNG:  $png"
