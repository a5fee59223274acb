#!/usr/bin/env bash
# The component catalogs t3q reads itself (issue #13): Elyra's 3-node
# custom pipeline (kfp_3_node_custom.pipeline, from the Elyra wheel) with
# its components served by url-catalog (http and file URLs, fetched with
# libcurl), local-file-catalog (absolute, and relative to base_dir) and
# local-directory-catalog entries, and handed over with --component, all
# compile to the templates that --components over the examples catalog's
# own files gives (which t-elyra-custom.sh compares with Elyra's export).
# Then the errors: a definition nowhere to be found, unreadable (HTTP 404,
# a missing file) or invalid (not YAML, no container, a bad output name, an
# unknown placeholder), each naming the node, the catalog and the
# reference.
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
corpus=$(t3q_elyra_pkg) || skip_all "no Elyra package in $T3Q_ELYRA_VENV: run scripts/install-test-deps"
examples=$(dirname "$corpus")/kfp_examples_connector/resources
[ -d "$examples" ] || skip_all "no elyra-examples-kfp-catalog in $T3Q_ELYRA_VENV: run scripts/install-test-deps"
compile=$T3Q_BIN/compiler/t3q-compile
py=/usr/bin/python3
cd "$T" || exit 1
mkdir -p www/sub
cp "$examples"/*.yaml www/sub/
"$py" -c '
import functools, http.server, os, socketserver, sys
http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = socketserver.TCPServer(("127.0.0.1", 0), h)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()' www port &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
port=$(cat port)
src=$corpus/tests/cli/resources/pipelines/kfp_3_node_custom.pipeline

# variant NAME KIND: the pipeline with each node's component_source (and
# op, as Elyra computes the id) of that catalog KIND.
variant() {
	"$py" - "$src" "$1.pipeline" "$2" "$T/www/sub" "$port" <<'PY'
import hashlib, json, os, sys
src, out, kind, base, port = sys.argv[1:6]
d = json.load(open(src))
h = lambda s: hashlib.sha256(s.encode()).hexdigest()[:12]
for n in d["pipelines"][0]["nodes"]:
    f = json.loads(n["app_data"]["component_source"])["component_ref"]["component-id"]
    if kind == "http":
        ref, cat, key = {"url": "http://127.0.0.1:%s/sub/%s" % (port, f)}, "url-catalog", "url"
    elif kind == "file-url":
        ref, cat, key = {"url": "file://%s/%s" % (base, f)}, "url-catalog", "url"
    elif kind == "local-abs":
        ref, cat, key = {"path": "%s/%s" % (base, f)}, "local-file-catalog", "path"
    elif kind == "local-base":
        ref, cat, key = {"base_dir": base, "path": f}, "local-file-catalog", "path"
    elif kind == "dir":
        ref, cat, key = {"base_dir": base, "path": f}, "local-directory-catalog", "path"
    elif kind == "http-404":
        ref, cat, key = {"url": "http://127.0.0.1:%s/sub/no-%s" % (port, f)}, "url-catalog", "url"
    elif kind == "missing-file":
        ref, cat, key = {"path": "%s/no-%s" % (base, f)}, "local-file-catalog", "path"
    else:  # a connector only Elyra reads, as in the original
        ref, cat, key = {"component-id": f}, "some-connector", "component-id"
    n["op"] = "%s:%s" % (cat, h(ref[key]))
    n["app_data"]["component_source"] = json.dumps({"catalog_type": cat, "component_ref": ref})
json.dump(d, open(out, "w"))
PY
}
t3q() {  # PIPELINE OUT [ARGS]: compile with a fixed runtime configuration
	local p=$1 o=$2
	shift 2
	"$compile" "$p" --cos-endpoint http://minio:9000 --cos-bucket b -o "$o" "$@"
}
# The templates only: the pipeline's own name differs by variant.
templates() {
	"$py" -c 'import sys, yaml, json; d = yaml.safe_load(open(sys.argv[1]))
print(json.dumps(sorted((t for t in d["spec"]["templates"] if "container" in t), key=lambda t: t["name"]), sort_keys=True, indent=1))' "$1"
}
cp "$src" ref.pipeline
step "the reference: --components over the examples catalog's files" \
	sh -c 't3q() { "$0" "$1" --cos-endpoint http://minio:9000 --cos-bucket b -o ref.yaml --components "$2"; }; t3q ref.pipeline "$2"' \
	"$compile" ref.pipeline "$examples"
templates ref.yaml >ref.json
grep -q '"image": "alpine"' ref.json || { echo "no templates in ref.yaml"; exit 1; }

same() {  # KIND [ARGS]
	local k=$1
	shift
	variant "$k" "$k" && t3q "$k.pipeline" "$k.yaml" "$@" 2>"$k.err" || { cat "$k.err"; return 1; }
	templates "$k.yaml" >"$k.json" && diff -u ref.json "$k.json"
}
for k in http file-url local-abs local-base dir; do
	step "$k catalog entries compile to the same templates" same "$k"
done
override() {
	variant connector connector || return 1
	local args=() f
	for f in download_data.yaml filter_text_using_shell_and_grep.yaml calculate_hash.yaml; do
		args+=(--component "some-connector:$(printf %s "$f" | sha256sum | cut -c1-12)=$examples/$f")
	done
	t3q connector.pipeline connector.yaml "${args[@]}" 2>connector.err || { cat connector.err; return 1; }
	templates connector.yaml >connector.json && diff -u ref.json connector.json
}
step "--component CATALOG:ID=FILE hands a connector's definitions over" override

fails() {  # KIND TEXT [ARGS]: exit 1, and TEXT in the message
	local k=$1 want=$2 rc=0
	shift 2
	variant "$k" "$k" || return 1
	t3q "$k.pipeline" "$k.yaml" "$@" 2>"$k.err" || rc=$?
	[ $rc = 1 ] && grep -qF -- "$want" "$k.err" || { echo "want exit 1 and '$want'; got $rc:"; cat "$k.err"; return 1; }
}
step "a connector's entry with nothing handed over: not found, naming catalog and reference" \
	fails connector "node 'Download data' (4bde6fbe-3935-4fd8-a338-5d15d39d0ddc): op: This component was not found in the catalog (catalog 'some-connector', reference {\"component-id\":\"download_data.yaml\"})"
step "... and saying what to do" fails connector "give the definition of any other with --component 'some-connector:"
step "an HTTP 404 is an unreadable definition, naming the URL" \
	fails http-404 "is unreadable: cannot fetch it: HTTP status 404"
step "a missing local file is an unreadable definition" \
	fails missing-file "is unreadable: cannot read '$T/www/sub/no-download_data.yaml'"

# Invalid definitions, each served in place of the filter component.
invalid() {  # NAME TEXT-IN-MESSAGE (the YAML on stdin)
	local n=$1 want=$2 rc=0
	mkdir -p "bad-$n" && cp "$examples"/*.yaml "bad-$n/" && cat >"bad-$n/filter_text_using_shell_and_grep.yaml" &&
	t3q ref.pipeline "bad-$n.yaml" --components "bad-$n" 2>"bad-$n.err" || rc=$?
	[ $rc = 1 ] && grep -qF -- "node 'Filter text' (ce91f17a-f5d7-497d-810a-1950260bf60e): component_source: Invalid component definition" "bad-$n.err" &&
		grep -qF -- "$want" "bad-$n.err" || { echo "want exit 1 and '$want'; got $rc:"; cat "bad-$n.err"; return 1; }
}
step "a definition that is not YAML" invalid yaml "not YAML:" <<'EOF'
name: [unclosed
EOF
step "a definition without a container" invalid nocontainer "no implementation.container" <<'EOF'
name: Filter text
implementation: {}
EOF
step "an output name kfp 1.8 refuses" invalid outname "output 'a/b': Only letters, numbers, spaces" <<'EOF'
name: Filter text
inputs: [{name: Text}, {name: Pattern}]
outputs: [{name: a/b}]
implementation: {container: {image: alpine, command: [sh, {inputPath: Text}, {outputPath: a/b}]}}
EOF
step "a placeholder naming no input" invalid noinput "inputValue names no declared input ('Nope')" <<'EOF'
name: Filter text
inputs: [{name: Text}, {name: Pattern}]
implementation: {container: {image: alpine, command: [sh, {inputValue: Nope}]}}
EOF
step "a KFP v2 placeholder" invalid v2 "inputUri is a KFP v2 placeholder" <<'EOF'
name: Filter text
inputs: [{name: Text}, {name: Pattern}]
implementation: {container: {image: alpine, command: [sh, {inputUri: Text}]}}
EOF
finish
