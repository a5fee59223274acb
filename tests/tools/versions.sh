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
# argolint (Argo v3.3.8 validation as the KFP 1.8.5 API server does it),
# keyed by its sources (scripts/install-test-deps builds it).
T3Q_ARGOLINT_BIN=$T3Q_CACHE/tools/argolint-$(cat "$(dirname "${BASH_SOURCE[0]}")"/argolint/{go.mod,go.sum,main.go} | sha256sum | cut -c1-12)/argolint
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
	echo "$T3Q_CACHE/tools/argolint-$1-$(cat "$d"/{go.mod,go.sum,main.go} | sha256sum | cut -c1-12)/argolint"
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
