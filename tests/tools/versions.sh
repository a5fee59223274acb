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
