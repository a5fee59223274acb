#!/usr/bin/env bash
# KFP v2 launcher paths: --artifact-output NAME=PATH stages each output at
# the path the launcher gave (NAME the artifact key of pipeline/names.c,
# computed here independently), --artifact-input NAME=PATH takes an input
# from there, and the fixed keys mlpipeline-metrics, mlpipeline-markdown
# and mlpipeline-html are always written: the user's documents, checked
# against Python's own json, csv and html.parser over many generated
# tables, or empty valid ones. Hostile NAME=PATH values are usage errors.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=v2-prod
dir2=v2-cons
src=$(mk_src)
PY=/usr/bin/python3

names() {
	$PY - "$@" <<'PY'
import re, sys
RESERVED = {"mlpipeline-ui-metadata", "mlpipeline-metrics", "main-logs", "mlpipeline-markdown",
            "mlpipeline-html", "executor-logs"}
def fnv1a32(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h
def normalize(path):
    # names_normalize(): blanks trimmed, "." and empty segments dropped
    path = path.strip(" \t")
    lead = "/" if path.startswith("/") else ""
    return lead + "/".join(s for s in path.split("/") if s not in ("", "."))
def artifact_name(path):
    path = normalize(path)
    raw = path.encode()
    if re.fullmatch(rb"[-a-zA-Z0-9_]+", raw) and len(raw) <= 48 and path not in RESERVED:
        return path
    clean = re.sub(rb"[^-a-zA-Z0-9_]+", b"-", raw).strip(b"-")[:48].rstrip(b"-")
    return (clean.decode() + "-" if clean else "") + "%08x" % fnv1a32(raw)
for p in sys.argv[1:]:
    print(artifact_name(p))
PY
}

# The producer's UI metadata: markdown, 40 generated CSV tables (quotes,
# commas, newlines, '<', '&' and non-ASCII in cells) and a web-app page.
$PY - "$src" <<'PY'
import csv, io, json, random, sys
rnd = random.Random(14)
alphabet = ['a', 'Z', '0', ' ', ',', '"', '\n', '<', '>', '&', "'", 'é', '表', ';', '\t']
tables = []
for t in range(40):
    cols = rnd.randint(1, 5)
    header = ["h%d%s" % (c, rnd.choice(['', '<b>', '&x', '"q"'])) for c in range(cols)]
    rows = [["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 8))) for _ in range(cols)]
            for _ in range(rnd.randint(1, 6))]
    out = io.StringIO()
    csv.writer(out, lineterminator=rnd.choice(["\n", "\r\n"])).writerows(rows)
    tables.append({"header": header, "rows": rows, "csv": out.getvalue()})
outputs = [{"type": "markdown", "storage": "inline", "source": "# Result <1>\n\n*ok* & done"}]
outputs += [{"type": "table", "storage": "inline", "format": "csv", "header": t["header"], "source": t["csv"]}
            for t in tables]
outputs.append({"type": "web-app", "storage": "inline", "source": "<html><body><script>x=\"1\"</script></body></html>"})
outputs.append({"type": "markdown", "storage": "minio", "source": "minio://b/not-inline.md"})
ui = {"outputs": outputs}
json.dump(ui, open(sys.argv[1] + "/ui.json", "w"))
json.dump(tables, open(sys.argv[1] + "/tables.json", "w"))
json.dump({"metrics": [{"name": "acc", "numberValue": 0.875, "format": "PERCENTAGE"}]},
          open(sys.argv[1] + "/metrics.json", "w"))
PY
cat >"$src/produce.sh" <<'SH'
set -e
mkdir -p data models/sub imgs "sp ace"
printf 'a,b\n1,2\n' >data/x.csv
echo model-a >models/a.bin
echo model-b >models/sub/b.bin
echo png1 >imgs/1.png
echo png2 >imgs/2.png
echo jpg >imgs/skip.jpg
echo spaced >"sp ace/f.txt"
cp ui.json mlpipeline-ui-metadata.json
cp metrics.json mlpipeline-metrics.json
SH
echo 'echo nothing' >"$src/plain.sh"
cat >"$src/consume.sh" <<'SH'
set -e
cat data/x.csv models/a.bin models/sub/b.bin imgs/1.png imgs/2.png "sp ace/f.txt"
SH
upload_archive "$src" "$dir" p.tar.gz produce.sh ui.json metrics.json plain.sh
upload_archive "$src" "$dir2" c.tar.gz consume.sh
outputs="data/x.csv;models;imgs/*.png;./sp ace/f.txt"
IFS=';' read -r -a outs <<<"$outputs"
mapfile -t keys < <(names "${outs[@]}")
echo "# artifact keys: ${keys[*]}"

# Launcher-style local paths (/minio/<bucket>/<key>), parents not made yet.
L=$T/minio/mlpipeline/v2/run-1/produce
args=()
for k in "${keys[@]}"; do args+=(--artifact-output "$k=$L/$k"); done
args+=(--artifact-output "mlpipeline-metrics=$L/metrics"
	--artifact-output "mlpipeline-markdown=$L/markdown"
	--artifact-output "mlpipeline-html=$L/html")
run_step "$T/wp" -d "$dir" -t p.tar.gz -f produce.sh -n v2 -o "$outputs" "${args[@]}"
step "producer: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
layout() {
	(cd "$L" && find . -mindepth 1 -printf '%P %y\n' | sort) >"$T/have"
	sort >"$T/want" <<EOF2
${keys[0]} f
${keys[1]} d
${keys[1]}/models d
${keys[1]}/models/a.bin f
${keys[1]}/models/sub d
${keys[1]}/models/sub/b.bin f
${keys[2]} d
${keys[2]}/imgs d
${keys[2]}/imgs/1.png f
${keys[2]}/imgs/2.png f
${keys[3]} f
metrics f
markdown f
html f
EOF2
	diff "$T/want" "$T/have"
}
step "producer: each output at its given path (file, dir and glob as v1 lays them out), the fixed keys too" layout
step "producer: a file output is the file's bytes" cmp "$T/wp/data/x.csv" "$L/${keys[0]}"
step "producer: a path with a space" cmp "$T/wp/sp ace/f.txt" "$L/${keys[3]}"
step "producer: outputs still go to the store" have_obj "$dir/models/sub/b.bin"
step "producer: no Argo artifact dir was used" sh -c "! grep -q 'artifact-outputs' '$T/stderr'"
step "mlpipeline-metrics: the step's metrics, as JSON" $PY -c "
import json, sys
a = json.load(open('$L/metrics')); b = json.load(open('$src/metrics.json'))
sys.exit(0 if a == b else 'metrics differ: %r %r' % (a, b))"
check_markdown() {
	$PY - "$L/markdown" <<'PY'
import sys
md = open(sys.argv[1]).read()
first = "# Result <1>\n\n*ok* & done\n\n"
assert md.startswith(first), md[:200]
assert "## Inputs for produce.sh" in md and "## t3q: produce.sh" in md, md
assert "not-inline" not in md, "a non-inline output was rendered"
PY
}
step "mlpipeline-markdown: the inline markdown in order (the user's, Elyra's entry, t3q's summary), raw" check_markdown
check_html() {
	$PY - "$L/html" "$src/tables.json" <<'PY'
import html, html.parser, json, sys
doc = open(sys.argv[1]).read()
tables = json.load(open(sys.argv[2]))
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.cell, self.frames, self.tags = [], None, [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "table": self.tables.append([])
        elif tag == "tr": self.tables[-1].append([])
        elif tag in ("td", "th"): self.cell = ""
        elif tag == "iframe": self.frames.append(dict(attrs)["srcdoc"])
    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(self.cell); self.cell = None
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
p = P(); p.feed(doc); p.close()
assert "script" not in p.tags, "the web-app's script became a tag of the page"
assert p.frames == ["<html><body><script>x=\"1\"</script></body></html>"], p.frames
assert len(p.tables) == len(tables), (len(p.tables), len(tables))
for i, (got, want) in enumerate(zip(p.tables, tables)):
    exp = [want["header"]] + [[c.replace("\r\n", "\n") for c in r] for r in want["rows"]]
    got = [[c.replace("\r\n", "\n") for c in r] for r in got]
    assert got == exp, "table %d:\n%r\n%r" % (i, got, exp)
print("%d tables, %d cells match" % (len(tables), sum(len(r) for t in p.tables for r in t)))
PY
}
step "mlpipeline-html: every table's cells as Python's csv reads them, escaped; the web-app in a sandboxed frame" check_html

# A step that writes no metrics or UI metadata still leaves every fixed key.
E=$T/minio/mlpipeline/v2/run-1/plain
run_step "$T/wq" -d "$dir" -t p.tar.gz -f plain.sh -n v2 \
	--artifact-output "mlpipeline-metrics=$E/m.json" \
	--artifact-output "mlpipeline-markdown=$E/md" \
	--artifact-output "mlpipeline-html=$E/h.html"
empty_docs() {
	[ "$rc" = 0 ] && $PY - "$E" <<'PY'
import html.parser, json, sys
d = sys.argv[1]
assert json.load(open(d + "/m.json")) == {"metrics": []}
md = open(d + "/md").read()
assert "## t3q: plain.sh" in md and "Result" not in md, md
p = html.parser.HTMLParser(); p.feed(open(d + "/h.html").read()); p.close()
assert "<table" not in open(d + "/h.html").read()
PY
}
step "no metrics or UI metadata: an empty metrics list, the summary, an empty page" empty_docs

# One web-app alone is the page itself.
printf '{"outputs":[{"type":"web-app","storage":"inline","source":"<p>mine</p>"}]}' >"$src/one.json"
echo 'cp one.json mlpipeline-ui-metadata.json' >"$src/one.sh"
upload_archive "$src" "$dir" one.tar.gz one.sh one.json
run_step "$T/wo" -d "$dir" -t one.tar.gz -f one.sh -n v2 --artifact-output "mlpipeline-html=$T/one.html"
step "a single web-app is written as it is" sh -c "[ $rc = 0 ] && [ \"\$(cat '$T/one.html')\" = '<p>mine</p>' ]"

# A failed step still writes the fixed keys (the launcher checks them).
run_step "$T/wf" -d "$dir" -t missing.tar.gz -f plain.sh -n v2 --artifact-output "mlpipeline-metrics=$T/fail/m.json"
step "a step that fails before it runs: exit 81, the metrics path still written" \
	sh -c "[ $rc = 81 ] && [ -s '$T/fail/m.json' ]"

# The consumer: its inputs where its launcher downloaded them (another
# root), except one left to the object store.
C=$T/minio/mlpipeline/v2/run-1/consume
mkdir -p "$C"
cp -a "$L/." "$C/"
in_args=()
for i in 0 1 2 3; do in_args+=(--artifact-input "${keys[$i]}=$C/${keys[$i]}"); done
run_step "$T/wc" -d "$dir2" -t c.tar.gz -f consume.sh -n v2 -i "$outputs" "${in_args[@]}"
step "consumer: exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
placed() {
	for f in data/x.csv models/a.bin models/sub/b.bin imgs/1.png imgs/2.png "sp ace/f.txt"; do
		cmp "$T/wp/$f" "$T/wc/$f" || return 1
	done
	[ ! -e "$T/wc/imgs/skip.jpg" ] && grep -q '^model-b$' "$T/stdout"
}
step "consumer: every input at its path in the work dir, from the given paths" placed
step "consumer: nothing came from the store" sh -c "! grep -q 'downloaded data\|downloaded models\|downloaded imgs' '$T/stderr'"
# data/x.csv from the store (the producer uploaded it under $dir, so run
# the consumer in the producer's prefix), the rest from the given paths
run_step "$T/wm" -d "$dir" -t p.tar.gz -f plain.sh -n v2 -i "data/x.csv;models" \
	--artifact-input "${keys[1]}=$C/${keys[1]}"
step "an input without a given path still comes from the store" sh -c \
	"[ $rc = 0 ] && grep -q 'downloaded data/x.csv' '$T/stderr' && grep -q 'placed artifact models at models' '$T/stderr' && cmp '$T/wp/models/a.bin' '$T/wm/models/a.bin'"
run_step "$T/wn" -d "$dir2" -t c.tar.gz -f consume.sh -n v2 -i "data/x.csv" \
	--artifact-input "${keys[0]}=$T/nowhere/x"
step "an input whose given path holds nothing: 81, naming input and path" \
	sh -c "[ $rc = 81 ] && grep -q \"input 'data/x.csv': no artifact at '$T/nowhere/x' (--artifact-input gave that path)\" '$T/stderr'"

# Hostile NAME=PATH values: usage errors (2) naming the flag and the value,
# before anything is fetched.
hostile() {
	local want=$1
	shift
	run_step "$T/wh" -d "$dir" -t p.tar.gz -f plain.sh -n v2 -o "data/x.csv" -i "models" "$@"
	[ "$rc" = 2 ] && tail -1 "$T/stderr" | grep -qF -- "$want" &&
	! grep -q 'downloaded' "$T/stderr" || { show; return 1; }
}
step "no '='" hostile "--artifact-output 'data': expected NAME=PATH" --artifact-output data
step "empty path" hostile "--artifact-input 'models=': the path after '=' is empty" --artifact-input "models="
step "empty name" hostile "--artifact-output '=/x': the artifact key before '=' is empty" --artifact-output "=/x"
step "unknown output name, listing the keys" hostile \
	"--artifact-output 'data/x.csv=/x': no output has the artifact key 'data/x.csv'; the keys are: ${keys[0]} (data/x.csv), mlpipeline-metrics" \
	--artifact-output "data/x.csv=/x"
step "unknown input name" hostile "--artifact-input 'nope=/x': no input has the artifact key 'nope'; the keys are: models (models)" \
	--artifact-input "nope=/x"
step "a fixed key is no input" hostile "--artifact-input 'mlpipeline-metrics=/x': no input" \
	--artifact-input "mlpipeline-metrics=/x"
step "duplicate name" hostile "--artifact-output 'mlpipeline-html=/b': the key 'mlpipeline-html' is given twice" \
	--artifact-output "mlpipeline-html=/a" --artifact-output "mlpipeline-html=/b"
step "duplicate input name" hostile "--artifact-input 'models=/b': the key 'models' is given twice" \
	--artifact-input "models=/a" --artifact-input "models=/b"
step "the usage text names the flags" sh -c "'$T3Q_BIN/bootstrap/t3q-bootstrap' --help | grep -q -- '--artifact-output NAME=PATH'"

finish
