#!/usr/bin/env bash
# t3q-run stopped by Ctrl-C (SIGINT) or SIGTERM while a node runs: the
# running node gets SIGTERM, its log (up to the stop) is kept, nothing after
# it starts (the summary: skipped), and the exit is 130, as a
# shell reports a command stopped by Ctrl-C. Shell nodes on a file:// store.
. "$(dirname "$0")/../lib.sh"
run=$T3Q_BIN/runner/t3q-run
mkdir -p "$T/p"
cd "$T/p" || exit 1
/usr/bin/python3 - <<'PY'
import json
nodes = []
for nid, f, parent in (("long", "long.sh", None), ("after", "after.sh", "long")):
    links = [{"node_id_ref": parent, "port_id_ref": "outPort"}] if parent else []
    nodes.append({"id": nid, "type": "execution_node", "op": "execute-shell-node",
                  "app_data": {"component_parameters": {"filename": f, "runtime_image": "x/y:1"},
                               "ui_data": {"label": nid}},
                  "inputs": [{"id": "inPort", "links": links}], "outputs": [{"id": "outPort"}]})
doc = {"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "p",
       "pipelines": [{"id": "p", "nodes": nodes, "app_data": {"version": 8, "properties": {}}}]}
json.dump(doc, open("stop.pipeline", "w"))
PY
# The node says when it got the TERM, and leaves a mark if it is not stopped.
cat >long.sh <<'SH'
trap 'echo "long got TERM"; exit 143' TERM
echo "long started"
for i in $(seq 600); do sleep 0.1; done
echo "long was not stopped" >"$MARK"
SH
echo 'echo "after ran" >"$MARK.after"' >after.sh

# stopped SIG: a run sent SIG once its node has started.
stopped() {
	local sig=$1 pid rc
	export MARK=$T/mark.$sig
	"$run" stop.pipeline --work "$T/w.$sig" --run-id "r$sig" >"$T/$sig.out" 2>&1 &
	pid=$!
	at_exit "kill -9 $pid 2>/dev/null"
	for _ in $(seq 300); do
		grep -q 'long started' "$T/$sig.out" && break
		sleep 0.05
	done
	kill -"$sig" $pid
	for _ in $(seq 300); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	wait $pid
	rc=$?
	cat "$T/$sig.out"
	[ $rc = 130 ] || { echo "exit $rc, not 130"; return 1; }
	grep -q 'long got TERM' "$T/$sig.out" &&
	grep -q 'interrupted: stopping the running nodes' "$T/$sig.out" &&
	grep -qE '^after +skipped' "$T/$sig.out" &&
	[ ! -e "$MARK" ] && [ ! -e "$MARK.after" ] &&
	find "$T/w.$sig/store" -name 'long*.log' | grep -q . &&
	grep -q 'long started' $(find "$T/w.$sig/store" -name 'long*.log')
}
step "Ctrl-C (SIGINT) stops the running node, the next does not start, exit 130" stopped INT
step "SIGTERM does the same" stopped TERM

finish
