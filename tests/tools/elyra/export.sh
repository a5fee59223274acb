#!/usr/bin/env bash
# export.sh: exports an Elyra .pipeline to Argo Workflow YAML with Elyra
# 4.0.0's own machinery (elyra-pipeline export, kfp 1.8.22 compiler), the
# peer that t3q-compile is compared against. Offline: no cluster, no network.
#
#   export.sh PIPELINE OUT.yaml [RUNTIME_CONFIG_JSON]
#
# RUNTIME_CONFIG_JSON is a KFP runtime configuration, either a whole Elyra
# metadata instance ({"display_name": ..., "schema_name": "kfp",
# "metadata": {...}}, with an optional "name") or just its "metadata"
# object. Without it, a built-in one is used (see default_config below).
# It is installed in a private JUPYTER_DATA_DIR, never the user's.
#
# Elyra's export checks the cos_bucket (creating it) and uploads each
# generic node's dependency archive to cos_endpoint. A private MinIO with
# the configuration's cos_username/cos_password takes those requests:
# offline_export.py resolves cos_endpoint's host:port to it, so the YAML
# still names the configured endpoint, and refuses every other non-loopback
# connection. The node files must exist relative to the pipeline file, as
# Elyra validates (and archives) them.
#
# What differs from run to run, by Elyra's and kfp's design: the
# pipeline_compilation_time annotation, the --cos-directory suffix (the
# export time, MMDDHHMMSS) and so each node's component_spec annotation and
# component_ref digest. The CLI names the pipeline after the file's stem
# and writes node files (--file, elyra/node-file-name) as absolute paths.
#
# Needs the venv and MinIO from scripts/install-test-deps. On failure,
# prints Elyra's output and exits non-zero.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../versions.sh"

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: export.sh PIPELINE OUT.yaml [RUNTIME_CONFIG_JSON]" >&2
	exit 2
fi
pipeline=$1 out=$2 config=${3:-}
[ -f "$pipeline" ] || { echo "export.sh: no pipeline file '$pipeline'" >&2; exit 2; }
[ -z "$config" ] || [ -f "$config" ] || { echo "export.sh: no runtime config '$config'" >&2; exit 2; }
py=$T3Q_ELYRA_VENV/bin/python
[ -x "$T3Q_ELYRA_VENV/bin/elyra-pipeline" ] || {
	echo "export.sh: no Elyra venv at $T3Q_ELYRA_VENV; run scripts/install-test-deps" >&2
	exit 1
}
[ -x "$T3Q_MINIO_BIN" ] || {
	echo "export.sh: no MinIO at $T3Q_MINIO_BIN; run scripts/install-test-deps" >&2
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/t3q-elyra-export.XXXXXX")
minio_pid=
cleanup() {
	if [ -n "$minio_pid" ]; then
		kill -TERM -- "-$minio_pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$minio_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$minio_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# A private Jupyter/Elyra home: metadata, runtime files, config.
export JUPYTER_DATA_DIR=$tmp/jupyter/data
export JUPYTER_CONFIG_DIR=$tmp/jupyter/config
export JUPYTER_RUNTIME_DIR=$tmp/jupyter/runtime
unset ELYRA_METADATA_PATH JUPYTER_PATH JUPYTER_CONFIG_PATH
# No proxy may route the loopback traffic elsewhere.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY='*' no_proxy='*'
export PYTHONDONTWRITEBYTECODE=1
# Elyra gathers a node's --inputs (its ancestors' outputs) in a Python set:
# a fixed hash seed makes their order the same on every run (it is still
# Elyra's arbitrary order, so compare them as a set).
export PYTHONHASHSEED=0
mkdir -p "$JUPYTER_DATA_DIR/metadata/runtimes" "$JUPYTER_CONFIG_DIR" "$JUPYTER_RUNTIME_DIR"
# Component catalogs (custom components): every Elyra metadata instance
# (component-catalogs schema) in T3Q_ELYRA_CATALOG_DIR, if set.
if [ -n "${T3Q_ELYRA_CATALOG_DIR:-}" ]; then
	mkdir -p "$JUPYTER_DATA_DIR/metadata/component-catalogs"
	cp "$T3Q_ELYRA_CATALOG_DIR"/*.json "$JUPYTER_DATA_DIR/metadata/component-catalogs/"
fi

# Install the runtime configuration; print what the export needs of it.
read -r name cos_scheme cos_host cos_port cos_user cos_pass < <(
	"$py" - "$config" "$JUPYTER_DATA_DIR/metadata/runtimes" <<'EOF'
import json, os, sys
from urllib.parse import urlsplit

default_config = {
    "display_name": "t3q KFP",
    "schema_name": "kfp",
    "metadata": {
        "runtime_type": "KUBEFLOW_PIPELINES",
        "api_endpoint": "http://kfp.example:8888",
        "engine": "Argo",
        "auth_type": "NO_AUTHENTICATION",
        "cos_endpoint": "http://minio.example:9000",
        "cos_bucket": "test-bucket",
        "cos_auth_type": "USER_CREDENTIALS",
        "cos_username": "minio",
        "cos_password": "minio123",
    },
}
path, dest = sys.argv[1], sys.argv[2]
if path:
    with open(path) as f:
        inst = json.load(f)
    if "metadata" not in inst:
        inst = {"display_name": "t3q KFP", "metadata": inst}
else:
    inst = default_config
name = inst.pop("name", None) or "t3q-kfp"
inst.setdefault("display_name", name)
inst.setdefault("schema_name", "kfp")
md = inst["metadata"]
md.setdefault("runtime_type", "KUBEFLOW_PIPELINES")
for k in ("cos_endpoint", "cos_bucket", "cos_username", "cos_password"):
    if not md.get(k):
        sys.exit(f"export.sh: the runtime configuration has no metadata.{k}")
if any(c.isspace() for c in md["cos_username"] + md["cos_password"]):
    sys.exit("export.sh: cos_username/cos_password with white space are not supported")
u = urlsplit(md["cos_endpoint"])
if u.scheme not in ("http", "https") or not u.hostname:
    sys.exit(f"export.sh: cos_endpoint '{md['cos_endpoint']}' is not an http(s) URL")
port = u.port or (443 if u.scheme == "https" else 80)
with open(os.path.join(dest, name + ".json"), "w") as f:
    json.dump(inst, f, indent=2)
print(name, u.scheme, u.hostname, port, md["cos_username"], md["cos_password"])
EOF
) || { echo "export.sh: bad runtime configuration" >&2; exit 1; }
[ -n "${cos_pass:-}" ] || exit 1

# The private MinIO, with the configuration's credentials. An https
# cos_endpoint gets a throwaway CA and a certificate for its host name,
# trusted through SSL_CERT_FILE (which the minio client reads).
minio_args=()
if [ "$cos_scheme" = https ]; then
	certs=$tmp/certs
	mkdir -p "$certs"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=t3q-elyra-ca \
		-keyout "$certs/ca.key" -out "$certs/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$cos_host" \
		-keyout "$certs/private.key" -out "$certs/server.csr" 2>/dev/null
	case $cos_host in
	*[!0-9.]*) printf 'subjectAltName=DNS:%s\n' "$cos_host" >"$certs/ext" ;;
	*) printf 'subjectAltName=IP:%s\n' "$cos_host" >"$certs/ext" ;;
	esac
	openssl x509 -req -in "$certs/server.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" \
		-CAcreateserial -days 2 -extfile "$certs/ext" -out "$certs/public.crt" 2>/dev/null
	minio_args=(--certs-dir "$certs")
	export SSL_CERT_FILE=$certs/ca.crt
fi
started=
for _ in 1 2 3; do
	port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	MINIO_ROOT_USER=$cos_user MINIO_ROOT_PASSWORD=$cos_pass \
	MINIO_BROWSER=off MINIO_UPDATE=off \
	setsid "$T3Q_MINIO_BIN" server --quiet --address "127.0.0.1:$port" \
		"${minio_args[@]}" "$tmp/minio-data" >"$tmp/minio.log" 2>&1 &
	minio_pid=$!
	for _ in $(seq 1 300); do
		kill -0 "$minio_pid" 2>/dev/null || break
		code=$(curl -sk -o /dev/null -w '%{http_code}' \
			"$cos_scheme://127.0.0.1:$port/minio/health/live" || true)
		case $code in 2*) started=1; break ;; esac
		sleep 0.1
	done
	[ -n "$started" ] && break
	kill -KILL -- "-$minio_pid" 2>/dev/null || true
	wait "$minio_pid" 2>/dev/null || true
	minio_pid=
done
if [ -z "$started" ]; then
	echo "export.sh: MinIO did not start; its log:" >&2
	cat "$tmp/minio.log" >&2
	exit 1
fi

# Export into the temp dir first: Elyra takes an --output without the
# .yaml suffix for a directory, and a failed export leaves no OUT.yaml.
# Elyra's root workspace is its working directory: node files outside it
# fail validation. The CLI writes them into the YAML as absolute paths
# (and names the pipeline after the file's stem) whatever that directory
# is, so it is /, where every path is inside.
abs_pipeline=$(cd "$(dirname "$pipeline")" && pwd)/$(basename "$pipeline")
rc=0
(cd / && exec "$py" "$here/offline_export.py" "$cos_host" "$cos_port" "$port" -- \
	export --runtime-config "$name" --output "$tmp/out.yaml" --overwrite \
	"$abs_pipeline") >"$tmp/elyra.log" 2>&1 || rc=$?
if [ "$rc" != 0 ] || [ ! -s "$tmp/out.yaml" ]; then
	echo "export.sh: elyra-pipeline export failed (exit $rc); its output:" >&2
	cat "$tmp/elyra.log" >&2
	[ "$rc" != 0 ] || rc=1
	exit "$rc"
fi
mkdir -p "$(dirname "$out")"
mv "$tmp/out.yaml" "$out"
