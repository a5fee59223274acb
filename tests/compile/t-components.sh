#!/usr/bin/env bash
# The component reader and the catalogs under hostile or large input
# (issue 21), without Elyra: a generated pipeline of custom nodes whose
# definitions come from a local file, a --components directory or a
# url-catalog served here. Each must end quickly with a clear error (or
# compile): symlink cycles under --components, a URL fetched once per
# compile however many nodes use it, a server that never answers, the
# if/else shapes that crashed, an alias bomb, 20k inputs in linear time.
. "$(dirname "$0")/../lib.sh"
compile=$T3Q_BIN/compiler/t3q-compile
py=/usr/bin/python3
cd "$T" || exit 1

# gen OUT N SOURCE-JSON [INPUTS [empty]]: a pipeline of N custom nodes with
# that component_source, each giving the string inputs i0..i(INPUTS-1) (or
# leaving them empty).
gen() {
	"$py" - "$@" <<'PY'
import json, sys
out, n, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
k = int(sys.argv[4]) if len(sys.argv) > 4 else 1
empty = len(sys.argv) > 5  # every input left empty: its default
cat = json.loads(src)["catalog_type"]
nodes = [{"id": "n%d" % i, "type": "execution_node", "op": cat + ":x",
          "app_data": {"label": "", "component_source": src,
                       "ui_data": {"label": "N%d" % i},
                       "component_parameters": {"i%d" % j: {"widget": "string", "value": None if empty else "v%d" % j}
                                                for j in range(k)}}}
         for i in range(n)]
json.dump({"doc_type": "pipeline", "version": "3.0", "id": "p",
           "json_schema": "http://api.dataplatform.ibm.com/schemas/common-pipeline/pipeline-flow/pipeline-flow-v3-schema.json",
           "primary_pipeline": "primary", "schemas": [],
           "pipelines": [{"id": "primary", "nodes": nodes, "runtime_ref": "",
                          "app_data": {"name": "p", "runtime_type": "KUBEFLOW_PIPELINES",
                                       "properties": {}, "version": 8}}]}, open(out, "w"))
PY
}
# component FILE [INPUTS]: a definition with inputs i0.. echoed
component() {
	"$py" - "$@" <<'PY'
import sys
out = sys.argv[1]
k = int(sys.argv[2]) if len(sys.argv) > 2 else 1
with open(out, "w") as f:
    f.write("name: C\ninputs:\n" + "".join("- {name: i%d}\n" % j for j in range(k)))
    f.write("implementation:\n  container:\n    image: alpine\n    command: [echo]\n    args:\n")
    f.write("".join("    - {inputValue: i%d}\n" % j for j in range(k)))
PY
}
t3qc() {  # PIPELINE [ARGS]: compile; output in $T/out.yaml, errors in $T/err
	local p=$1
	shift
	timeout "${T3Q_COMPILE_TIMEOUT:-60}" "$compile" "$p" --cos-endpoint http://m:9000 --cos-bucket b \
		-o "$T/out.yaml" "$@" 2>"$T/err"
}
t3qc10() { T3Q_COMPILE_TIMEOUT=10 t3qc "$@"; }
# refuses TEXT CMD...: CMD exits 1 with TEXT among the errors
refuses() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	[ $rc = 1 ] && grep -qF -- "$want" "$T/err" || {
		echo "want exit 1 and '$want'; got $rc:"; cat "$T/err"; return 1; }
}
local_src='{"catalog_type": "local-file-catalog", "component_ref": {"base_dir": ".", "path": "c.yaml"}}'

component c.yaml
gen one.pipeline 1 "$local_src"
step "a local-file-catalog component compiles" t3qc one.pipeline
for e in '{}' '[{}]' '{inputValue: nosuch}' '{outputPath: nosuch}'; do
	printf 'name: C\ninputs: [{name: i0}]\nimplementation: {container: {image: alpine, command: [echo, {if: {cond: false, then: x, else: %s}}]}}\n' "$e" >c.yaml
	step "an if's else of $e is checked (it crashed)" \
		refuses "Invalid component definition './c.yaml'" t3qc one.pipeline
done
step "... naming the placeholder" grep -qF "implementation.container.command[1]: outputPath names no declared output ('nosuch') (in an if's else)" err
printf 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n' >c.yaml
step "a billion-laughs component is refused at once" \
	refuses "hold too much" t3qc one.pipeline
printf 'r: &a [*a, *a]\n' >c.yaml
step "a recursive alias is refused" refuses "recursive alias" t3qc one.pipeline

# A component name Argo would refuse as a template name (over 128).
long=$(printf 'x%.0s' $(seq 130))
printf 'name: %s\ninputs: [{name: i0}]\nimplementation: {container: {image: alpine, command: [echo]}}\n' "$long" >c.yaml
step "a component name too long for Argo is refused, naming the file" \
	refuses "longer than Argo takes (128): shorten the name in './c.yaml'" t3qc one.pipeline
printf 'name: %s\ninputs: [{name: i0}]\nimplementation: {container: {image: alpine, command: [echo]}}\n' "${long:0:128}" >c.yaml
step "... and one of 128 characters compiles" t3qc one.pipeline

# --components with symlink cycles: 4^16 paths, each directory once
# (within 10 s: the walk of every path took minutes).
mkdir -p cyc/a/b
component c.yaml
component cyc/a/b/c.yaml
for l in w x y; do ln -s . "cyc/a/b/$l"; done && ln -s ../.. cyc/a/b/z
gen dir.pipeline 1 '{"catalog_type": "some-connector", "component_ref": {"component-id": "a/b/c.yaml"}}'
step "--components with symlink cycles ends, and finds the file" \
	t3qc10 dir.pipeline --components cyc
step "... or walks it all once, finding nothing, for the node's own catalog" \
	t3qc10 one.pipeline --components cyc

# A FIFO or an oversized file as the definition: refused, not waited for.
mkfifo fifo.yaml
gen fifo.pipeline 1 '{"catalog_type": "local-file-catalog", "component_ref": {"base_dir": ".", "path": "fifo.yaml"}}'
step "a FIFO as a component file is refused at once" \
	refuses "'./fifo.yaml' is not a regular file" t3qc10 fifo.pipeline
truncate -s 5M huge.yaml
gen huge.pipeline 1 '{"catalog_type": "local-file-catalog", "component_ref": {"base_dir": ".", "path": "huge.yaml"}}'
step "a component file over 4 MiB is refused" refuses "is larger than 4 MiB" t3qc huge.pipeline

# url-catalog: a server that counts requests, and one that never answers.
mkdir www && component www/c.yaml
"$py" -c '
import http.server, os, socketserver, sys, threading, time
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        open("../hits", "a").write(self.path + "\n")
        if self.path.startswith("/hang"):
            time.sleep(3600)
        return super().do_GET()
socketserver.ThreadingTCPServer.daemon_threads = True
s = socketserver.ThreadingTCPServer(("127.0.0.1", 0), H)
open("../port.tmp", "w").write(str(s.server_address[1]))
os.rename("../port.tmp", "../port")
s.serve_forever()' www &
server=$!
at_exit "kill $server"
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
port=$(cat port)
gen url.pipeline 5 "{\"catalog_type\": \"url-catalog\", \"component_ref\": {\"url\": \"http://127.0.0.1:$port/c.yaml\"}}"
step "5 nodes of one url-catalog entry compile" t3qc url.pipeline
step "... and fetch the URL once" sh -c '[ "$(grep -c /c.yaml hits)" = 1 ]'
gen hang.pipeline 3 "{\"catalog_type\": \"url-catalog\", \"component_ref\": {\"url\": \"http://127.0.0.1:$port/hang.yaml\"}}"
hang() {
	local t0=$SECONDS
	T3Q_CATALOG_TIMEOUT=2 refuses "http://127.0.0.1:$port/hang.yaml" t3qc hang.pipeline || return 1
	grep -F "timed out" "$T/err" | head -1
	[ $((SECONDS - t0)) -lt 15 ] || { echo "took $((SECONDS - t0)) s"; return 1; }
	[ "$(grep -c /hang hits)" = 1 ]
}
step "a url-catalog server that never answers: an error naming the URL, within the deadline, once" hang

# YAML 1.1 scalars as input defaults: kfp and Elyra read the component
# with PyYAML, so the value passed is Python's str() of what safe_load
# makes of each, and the component_spec annotation has its json.dumps.
scalars() {
	"$py" -c 'import yaml' 2>/dev/null || { echo "no PyYAML: skipped"; return 0; }
	local vals='010 0x1F 0b101 1_000 -0 +7 0o17 09 1e3 1.0e3 1.0e+3 1. .5 .inf -.inf .NaN 12:30:00 1:30.5 yes no on off Yes y n ~ 2001-12-14 123456789012345678 0x'
	"$py" - $vals <<'PY' >c.yaml
import sys
vals = sys.argv[1:]
print("name: Scalars\ninputs:")
for j, v in enumerate(vals):
    print("- {name: i%d, optional: true, default: %s}" % (j, v))
print("implementation: {container: {image: alpine, command: [echo], args: [%s]}}"
      % ", ".join("{inputValue: i%d}" % j for j in range(len(vals))))
PY
	gen sc.pipeline 1 "$local_src" $(echo $vals | wc -w) empty
	t3qc sc.pipeline || { cat "$T/err"; return 1; }
	"$py" - c.yaml "$T/out.yaml" <<'PY'
import json, math, sys, yaml
comp = yaml.safe_load(open(sys.argv[1]))
wf = yaml.safe_load(open(sys.argv[2]))
t = [t for t in wf["spec"]["templates"] if "container" in t][0]
args = t["container"]["args"]
spec = json.loads(t["metadata"]["annotations"]["pipelines.kubeflow.org/component_spec"])
bad = 0
for i, inp in enumerate(comp["inputs"]):
    d = inp["default"]
    want = "" if d is None else str(d)
    got_spec = spec["inputs"][i].get("default")
    if hasattr(d, "isoformat"):  # kfp's json.dumps fails on a date: its text
        d = str(d)
    same = got_spec == d or (isinstance(d, float) and math.isnan(d) and math.isnan(got_spec))
    if args[i] != want or not same:
        print("input %d: PyYAML reads %r: want arg %r and spec %r, got %r and %r"
              % (i, d, want, d, args[i], got_spec))
        bad = 1
sys.exit(bad)
PY
}
step "YAML 1.1 scalars in a component read as kfp reads them (PyYAML)" scalars

# Optional inputs and isPresent, given and not, as kfp 1.8.22 resolves
# them for Elyra (custom_diff.py checks the same against Elyra's export):
# Elyra passes an empty optional value input its default (present), an
# optional path input (a top-level inputPath: Elyra's is_path) nothing.
present() {  # MODE (given or empty) WANT-ARGS-JSON
	printf '%s\n' 'name: Present' 'inputs: [{name: i0, optional: true}, {name: i1, optional: true}]' \
		'implementation: {container: {image: alpine, command: [echo], args: [{inputPath: i1}, {isPresent: i0},' \
		'  {if: {cond: {isPresent: i0}, then: [v, {inputValue: i0}], else: [no-v]}},' \
		'  {if: {cond: {isPresent: i1}, then: [p, {inputPath: i1}], else: [no-p]}}, {if: {cond: {isPresent: i1}, then: x}}]}}' >c.yaml
	if [ "$1" = given ]; then gen pr.pipeline 1 "$local_src" 2; else gen pr.pipeline 1 "$local_src" 2 empty; fi
	t3qc pr.pipeline || { cat "$T/err"; return 1; }
	"$py" -c 'import json, sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
got = [t for t in wf["spec"]["templates"] if "container" in t][0]["container"]["args"]
want = json.loads(sys.argv[2])
print("args", got)
sys.exit(got != want)' "$T/out.yaml" "$2"
}
step "optional inputs given: isPresent true, the then branches" \
	present given '["/tmp/inputs/i1/data", "True", "v", "v0", "p", "/tmp/inputs/i1/data", "x"]'
step "optional inputs left empty: a value input gets its default (present), a path input nothing" \
	present empty '["True", "v", "", "no-p"]'

# 20k inputs: linear, not quadratic (5k against 20k, 4 times as many).
timed() {  # N: compile time in ms of a node with N inputs
	component "big$1.yaml" "$1"
	gen "big$1.pipeline" 1 "{\"catalog_type\": \"local-file-catalog\", \"component_ref\": {\"base_dir\": \".\", \"path\": \"big$1.yaml\"}}" "$1"
	local t0 t1
	t0=$(date +%s%N)
	t3qc "big$1.pipeline" >&2 || { cat "$T/err" >&2; return 1; }
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
scale() {
	local small big
	small=$(timed 5000) && big=$(timed 20000) || return 1
	echo "5000 inputs: $small ms, 20000 inputs: $big ms"
	# quadratic is 16 times; linear 4, with room for a busy machine
	[ "$big" -lt $((small * 9 + 300)) ]
}
step "a component with 20000 inputs compiles in linear time" scale

# Many nodes of one component: kfp's names C, C-2, C-3, ... (each name
# was found by trying every suffix against every node: cubic).
nodes() {  # N: compile time in ms of N nodes of one component
	component c.yaml
	gen "n$1.pipeline" "$1" "$local_src"
	local t0 t1
	t0=$(date +%s%N)
	t3qc "n$1.pipeline" >&2 || { cat "$T/err" >&2; return 1; }
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
many() {
	local small big
	small=$(nodes 500) && big=$(nodes 2000) || return 1
	echo "500 nodes: $small ms, 2000 nodes: $big ms"
	grep -q "name: \"c-2000\"$" "$T/out.yaml" || { echo "no task c-2000"; return 1; }
	[ "$big" -lt $((small * 9 + 300)) ]
}
step "2000 nodes of one component are named (c, c-2, ... c-2000) in linear time" many
finish
