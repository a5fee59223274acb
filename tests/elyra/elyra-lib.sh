# elyra-lib.sh: the setup of every tests/elyra/t-*.sh, after ../lib.sh.
#
# The real Elyra 4.0.0 of $T3Q_ELYRA_VENV (scripts/install-test-deps) with
# the t3q-elyra package of this tree on top, without touching that venv:
# 'pip install --no-deps --target' puts the package and its dist-info (the
# entry points Elyra looks up) into $T/site, which PYTHONPATH adds. A
# private Jupyter home ($T/jupyter), t3q-compile of this build on PATH.
# Peer checks against Elyra run once: not again under ASan.
[ "${T3Q_SANITIZE:-}" = 1 ] && skip_all "the Elyra tests run in the plain build only"
. "$T3Q_SRC/tests/tools/versions.sh"
# A test sets elyra_venv (not exported) before sourcing this to run another Elyra
# (t-elyra41.sh: $T3Q_ELYRA41_VENV); the default is Elyra 4.0.0.
elyra_venv=${elyra_venv:-$T3Q_ELYRA_VENV}
[ -x "$elyra_venv/bin/elyra-pipeline" ] ||
	skip_all "no Elyra venv at $elyra_venv: run scripts/install-test-deps"

ELYRA_BIN=$elyra_venv/bin
cp -r "$T3Q_SRC/t3q-elyra" "$T/t3q-elyra-src"
rm -rf "$T/t3q-elyra-src/build" "$T/t3q-elyra-src/t3q_elyra/bin" "$T/t3q-elyra-src"/*.egg-info
"$ELYRA_BIN/pip" install -q --disable-pip-version-check --no-deps --no-build-isolation \
	--no-compile --target "$T/site" "$T/t3q-elyra-src" >"$T/pip.log" 2>&1 || {
	cat "$T/pip.log"
	echo "cannot install t3q-elyra into $T/site" >&2
	exit 1
}
export PYTHONPATH=$T/site
export JUPYTER_DATA_DIR=$T/jupyter/data JUPYTER_CONFIG_DIR=$T/jupyter/config
export JUPYTER_RUNTIME_DIR=$T/jupyter/runtime
unset ELYRA_METADATA_PATH JUPYTER_PATH JUPYTER_CONFIG_PATH ELYRA_PROCESSOR_RUNTIMES
mkdir -p "$JUPYTER_DATA_DIR" "$JUPYTER_CONFIG_DIR" "$JUPYTER_RUNTIME_DIR"
export PATH=$T3Q_BIN/compiler:$ELYRA_BIN:$PATH
export PYTHONDONTWRITEBYTECODE=1
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'
RUNTIMES=$JUPYTER_DATA_DIR/metadata/runtimes

# runtime NAME [--field=value...]: a t3q runtime configuration, created by
# Elyra's own CLI (no --runtime_type: the t3q schema fills it in).
runtime() {
	local name=$1 display=()
	shift
	case " $* " in *" --display_name="*) ;; *) display=(--display_name="t3q $name") ;; esac
	elyra-metadata create runtimes --schema_name=t3q --name="$name" \
		"${display[@]}" "$@" >"$T/runtime-$name.log" 2>&1 || {
		cat "$T/runtime-$name.log"
		return 1
	}
	[ -f "$RUNTIMES/$name.json" ]
}

# free_port: an unused loopback port.
free_port() {
	"$ELYRA_BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# yaml_arg FILE FLAG: the value after the first "- FLAG" line of a workflow.
yaml_arg() {
	grep -A1 -- "- \"$2\"\$" "$1" | sed -n 2p | sed 's/^ *- "\(.*\)"$/\1/'
}

# kfp2_start NAME [--block-v1]: a stand-in KFP 2.17 API server
# (tests/elyra/fake_kfp2.py) on a free loopback port, which KFP2_PORT
# names; its state in $T/kfp2-NAME.json. Not in a subshell (at_exit).
kfp2_start() {
	local name=$1 port
	shift
	port=$(free_port)
	"$ELYRA_BIN/python" "$T3Q_SRC/tests/elyra/fake_kfp2.py" "$port" "$T/kfp2-$name.json" "$@" \
		>"$T/kfp2-$name.log" 2>&1 &
	at_exit "kill $!"
	for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/t3q-ready" >/dev/null && break; sleep 0.1; done
	KFP2_PORT=$port
}

# kfp2_assert NAME PYTHON: runs PYTHON (assert statements) with s = the
# state of stand-in NAME, and iris = its pipeline named iris, versions its
# versions in upload order, runs its runs.
kfp2_assert() {
	"$ELYRA_BIN/python" - "$T/kfp2-$1.json" "$2" <<-'PY'
	import json, sys
	s = json.load(open(sys.argv[1]))
	iris = [p for p in s["pipelines"].values() if p["name"] == "iris"]
	iris = iris[0] if iris else {"id": None}
	versions = [v for v in s["versions"].values() if v["pipeline_id"] == iris["id"]]
	runs = s["runs"]
	try:
	    exec(sys.argv[2])
	except AssertionError:
	    print(json.dumps({k: s[k] for k in ("versions", "runs")}, indent=1))
	    raise
	PY
}
