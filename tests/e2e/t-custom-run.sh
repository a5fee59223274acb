#!/usr/bin/env bash
# t3q-run runs custom components on this host (issue #13): Elyra's own
# 3-node pipeline of the examples catalog (download data -> filter text
# -> calculate data hash, kfp_3_node_custom.pipeline from the Elyra wheel)
# against a local HTTP server, for several data sets, patterns and hash
# algorithms, gives the hash that running the three commands by hand
# gives. Then --no-host-components skips and names them, and a command
# whose program the host lacks fails its node saying so. Needs the Elyra
# venv's wheel and examples catalog (scripts/install-test-deps), curl.
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
corpus=$(t3q_elyra_pkg) || skip_all "no Elyra package in $T3Q_ELYRA_VENV: run scripts/install-test-deps"
examples=$(dirname "$corpus")/kfp_examples_connector/resources
[ -d "$examples" ] || skip_all "no elyra-examples-kfp-catalog in $T3Q_ELYRA_VENV: run scripts/install-test-deps"
command -v curl >/dev/null || skip_all "no curl on this host (the download component runs it)"
run=$T3Q_BIN/runner/t3q-run
py=/usr/bin/python3
cd "$T" || exit 1

# The data sets, and a server for them on a free port.
mkdir -p www
"$py" - www <<'PY'
import random, sys
rng = random.Random(13)
words = ["alpha", "Error", "warning", "TypeError: x", "ok", "ünï ✓", "ValueError", "", "  Error  "]
for k in range(4):
    with open("%s/data%d.txt" % (sys.argv[1], k), "w") as f:
        for _ in range(rng.randint(5, 400)):
            f.write(" ".join(rng.choice(words) for _ in range(rng.randint(0, 6))) + "\n")
PY
"$py" -c '
import functools, http.server, socketserver, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
s = socketserver.TCPServer(("127.0.0.1", 0), h)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()' www port &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
port=$(cat port)

# pipeline OUT URL PATTERN ALGORITHM: Elyra's file with these values.
pipeline() {
	"$py" - "$corpus/tests/cli/resources/pipelines/kfp_3_node_custom.pipeline" "$@" <<'PY'
import json, sys
src, out, url, pattern, algo = sys.argv[1:6]
d = json.load(open(src))
for n in d["pipelines"][0]["nodes"]:
    cp = n["app_data"]["component_parameters"]
    if "url" in cp:
        cp["url"]["value"] = url
    if "pattern" in cp:
        cp["pattern"]["value"] = pattern
    if "hash_algorithm" in cp:
        cp["hash_algorithm"]["value"] = algo
json.dump(d, open(out, "w"))
PY
}

# by_hand URL PATTERN ALGORITHM: the three components' commands, typed in.
by_hand() {
	curl -s --get "$1" --output hand.data --location &&
	grep "$2" <hand.data >hand.filtered &&
	"$(echo "$3" | tr '[:upper:]' '[:lower:]')sum" hand.filtered | cut -d ' ' -f 1
}

one() {  # K PATTERN ALGORITHM
	local url=http://127.0.0.1:$port/data$1.txt id=run$n want got  # run ids are used once
	pipeline "p$1.pipeline" "$url" "$2" "$3" || return 1
	"$run" "p$1.pipeline" --components "$examples" --work w --run-id "$id" >"$id.out" 2>&1 || {
		cat "$id.out"; return 1; }
	grep -q "3 custom components run on this host with their own commands; their container images are not used" \
		"$id.out" || { echo "no word that the images are not used:"; cat "$id.out"; return 1; }
	[ "$(grep -c 'images are not used' "$id.out")" = 1 ] || { echo "said more than once"; return 1; }
	want=$(by_hand "$url" "$2" "$3") || return 1
	got=$(cat "w/$id/calculate-data-hash/outputs/Hash/data") || return 1
	echo "data$1 /$2/ $3: $got"
	[ -n "$want" ] && [ "$got" = "$want" ] || { echo "t3q-run '$got', by hand '$want'"; return 1; }
}
n=0
for spec in "0|Error|SHA256" "1|.*Error|MD5" "2|^ok|SHA1" "3|ünï|SHA512" "1|warning|SHA256"; do
	IFS='|' read -r k pat algo <<<"$spec"
	n=$((n + 1))
	step "download -> filter -> hash, data$k /$pat/ $algo: the hash of the commands by hand" one "$k" "$pat" "$algo"
done

skipped() {
	pipeline skip.pipeline "http://127.0.0.1:$port/data0.txt" Error SHA256 &&
	"$run" skip.pipeline --no-host-components --work w --run-id skip >skip.out 2>&1 || {
		cat skip.out; return 1; }
	for t in download-data filter-text calculate-data-hash; do
		grep -q "$t: a custom component, skipped (--no-host-components)" skip.out ||
			{ echo "$t not named as skipped:"; cat skip.out; return 1; }
	done
	[ ! -e w/skip/download-data/outputs ] || { echo "download-data ran"; return 1; }
}
step "--no-host-components skips custom nodes, naming each" skipped

# one_node COMPONENT LABEL TEXT OUT: a pipeline of one custom node, its
# component from a local-directory-catalog, its input Text given TEXT
# (@FILE: FILE's content, past what one argument may hold).
one_node() {
	"$py" - "$(pwd)/$(dirname "$1")" "$(basename "$1")" "$2" "$3" "$4" <<'PY'
import hashlib, json, sys
base, path, label, text, out = sys.argv[1:]
if text.startswith("@"):
    text = open(text[1:]).read()
ref = {"base_dir": base, "path": path}
node = {"id": "n1", "type": "execution_node",
        "op": "local-directory-catalog:" + hashlib.sha256(path.encode()).hexdigest()[:12],
        "app_data": {"component_parameters": {"text": {"widget": "string", "value": text}},
                     "component_source": json.dumps({"catalog_type": "local-directory-catalog",
                                                     "component_ref": ref}),
                     "ui_data": {"label": label}},
        "inputs": [{"id": "inPort"}], "outputs": [{"id": "outPort"}]}
doc = {"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "p",
       "pipelines": [{"id": "p", "nodes": [node], "app_data": {"version": 8, "properties": {}}}]}
json.dump(doc, open(out, "w"))
PY
}

missing() {
	mkdir -p comps && cat >comps/missing.yaml <<'EOF'
name: Needs a tool
inputs:
- {name: Text, default: hi}
implementation:
  container:
    image: example.com/tools:1
    command: [t3q-no-such-program, {inputValue: Text}]
EOF
	one_node comps/missing.yaml "Needs a tool" x missing.pipeline || return 1
	rc=0
	"$run" missing.pipeline --work w --run-id missing >missing.out 2>&1 || rc=$?
	[ $rc = 1 ] && grep -q "runs 't3q-no-such-program', which is not on this host (it expects image 'example.com/tools:1')" missing.out ||
		{ echo "want exit 1 and the missing program named; got $rc:"; cat missing.out; return 1; }
}
step "a component whose program the host lacks fails its node, saying so" missing

# A full disk: the run's work directory on a 64 KiB tmpfs, and a 200 KB
# value that t3q-run writes to the component's input file. The node fails,
# naming the file and the reason, and its command does not run. (Needs
# root for the mount; skipped without.)
full_disk() {
	mkdir -p full && cat >comps/wc.yaml <<'EOF'
name: Reads a file
inputs:
- {name: Text}
implementation:
  container:
    image: example.com/tools:1
    command: [sh, -c, 'echo "read $(wc -c < "$0") bytes"', {inputPath: Text}]
EOF
	head -c 200000 /dev/zero | tr '\0' x >big.txt
	one_node comps/wc.yaml "Reads a file" @big.txt full.pipeline || return 1
	mount -t tmpfs -o size=64k tmpfs full 2>/dev/null || { echo "cannot mount a tmpfs: skipped"; return 0; }
	rc=0
	"$run" full.pipeline --work full/w --store "file://$T/store" --run-id full >full.out 2>&1 || rc=$?
	umount full
	[ $rc = 1 ] && grep -q "cannot write '.*/inputs/Text/data': No space left on device" full.out &&
		! grep -q "read [0-9]* bytes" full.out ||
		{ echo "want exit 1, the file named and no run; got $rc:"; cat full.out; return 1; }
}
step "a full disk under a component's input: its node fails, naming the file" full_disk
finish
