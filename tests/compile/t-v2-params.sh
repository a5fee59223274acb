#!/usr/bin/env bash
# KFP v2: a run value from the run form reaches the step whole and sets
# nothing else. The IR once passed parameters only as
# --pipeline-parameters 'P={{$.inputs.parameters['P']}};...', so a value
# "x;PYTHONPATH=DIR" set PYTHONPATH in the step (HTTPS_PROXY, PIP_INDEX_URL
# alike). Now each is one --pipeline-parameter NAME=VALUE argument. The
# pipeline runs through tests/tools/v2launch.py (KFP's launcher, locally)
# with this build's t3q-bootstrap against MinIO; its script writes its whole
# environment, which must equal a run with plain values but for P and Q.
. "$(dirname "$0")/../lib.sh"
py=/usr/bin/python3
launch=$T3Q_SRC/tests/tools/v2launch.py
export T3Q_PYTHON=/usr/bin/python3
bucket=$(new_bucket)
mkdir -p "$T/p"
cd "$T/p" || exit 1
cat >env.py <<'PY'
import json, os
json.dump(dict(os.environ), open("env.json", "w"))
PY
"$py" - <<'PY'
import json
node = {"id": "n1", "type": "execution_node", "op": "execute-python-node",
        "app_data": {"component_parameters": {"filename": "env.py", "runtime_image": "x/y:1",
                     "pipeline_parameters": ["P", "Q"]}, "ui_data": {"label": "env"}},
        "inputs": [{"id": "inPort"}], "outputs": [{"id": "outPort"}]}
doc = {"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "p", "pipelines": [{"id": "p",
       "nodes": [node], "app_data": {"version": 8, "properties": {"pipeline_parameters": [
           {"name": "P", "default_value": {"type": "String", "value": "plain"}},
           {"name": "Q", "default_value": {"type": "String", "value": "plain"}}]}}}]}
json.dump(doc, open("p.pipeline", "w"))
PY
step "it compiles for kfp-v2, the archive uploaded" \
	"$T3Q_BIN/compiler/t3q-compile" p.pipeline --target kfp-v2 --cos-endpoint "$T3Q_S3_ENDPOINT" \
	--cos-bucket "$bucket" --cos-username "$AWS_ACCESS_KEY_ID" --cos-password "$AWS_SECRET_ACCESS_KEY" \
	--cos-directory v2/params --upload -o p.yaml

# run NAME [-p ...]: the pipeline through the launcher harness; the step's
# environment in $T/NAME.json
run() {
	local name=$1
	shift
	"$py" "$launch" p.yaml --bootstrap "$T3Q_BIN/bootstrap/t3q-bootstrap" --root "$T/$name" "$@" &&
	cp "$T/$name/pods/env/work/env.json" "$T/$name.json"
}
step "the step runs with the defaults" run plain
nl=$'\n'
P='x;PYTHONPATH=/tmp/evil'
Q="a=b;HTTPS_PROXY=http://evil:1${nl}PIP_INDEX_URL=http://evil/ \"q\" 'u';=;;Y=z"
step "the step runs with hostile run values" run hostile -p "P=$P" -p "Q=$Q"
whole() {
	"$py" - "$T/plain.json" "$T/hostile.json" "$P" "$Q" <<'PY'
import json, sys
plain, hostile = (json.load(open(f)) for f in sys.argv[1:3])
want = {"P": sys.argv[3], "Q": sys.argv[4]}
bad = []
for k, v in want.items():
    if hostile.get(k) != v:
        bad.append("%s: %r, not %r" % (k, hostile.get(k), v))
    if plain.get(k) != "plain":
        bad.append("%s with the defaults: %r" % (k, plain.get(k)))
extra = sorted(set(hostile) - set(plain))
if extra:
    bad.append("variables the values made: %s" % ", ".join(
        "%s=%r" % (k, hostile[k]) for k in extra))
for k in ("PYTHONPATH", "HTTPS_PROXY", "PIP_INDEX_URL", "Y"):
    if hostile.get(k) != plain.get(k):
        bad.append("%s changed: %r" % (k, hostile.get(k)))
if bad:
    sys.exit("\n".join(bad))
PY
}
step "each value reached the step whole (';', '=', newline, quotes) and set nothing else" whole
one_arg() {
	"$py" - p.yaml <<'PY'
import sys, yaml
spec = next(d for d in yaml.safe_load_all(open(sys.argv[1])) if d and "root" in d)
args = spec["deploymentSpec"]["executors"]["exec-env"]["container"]["args"]
assert "--pipeline-parameters" not in args, args
got = [args[i + 1] for i, a in enumerate(args) if a == "--pipeline-parameter"]
assert got == ["P={{$.inputs.parameters['P']}}", "Q={{$.inputs.parameters['Q']}}"], got
PY
}
step "the IR passes one --pipeline-parameter argument per parameter" one_arg
finish
