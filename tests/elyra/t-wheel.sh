#!/usr/bin/env bash
# The t3q-elyra wheel (scripts/build-wheel) with the static t3q-compile
# inside: tagged manylinux2014_x86_64; installs into a fresh venv with
# nothing else on PATH; its bundled t3q-compile is the one the package
# finds, runs, and compiles the iris example to examples/iris/iris.yaml;
# and Elyra exports with it when no t3q-compile is on PATH at all.
# Needs the static compiler (scripts/build-static, which scripts/test runs).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/elyra-lib.sh"
static=${T3Q_STATIC_BIN:-$T3Q_SRC/build/static/t3q-bootstrap}
static=$(dirname "$static")/t3q-compile
[ -x "$static" ] || skip_all "no static t3q-compile at $static: run scripts/build-static"

build() {
	T3Q_COMPILE_STATIC=$static "$T3Q_SRC/scripts/build-wheel" "$T/wheel" >"$T/whl" || return 1
	whl=$(cat "$T/whl")
	case $(basename "$whl") in
	t3q_elyra-*-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl) ;;
	*) echo "unexpected name: $whl"; return 1 ;;
	esac
	/usr/bin/python3 - "$whl" <<'PY'
import stat, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
i = z.getinfo("t3q_elyra/bin/t3q-compile")
assert stat.S_IMODE(i.external_attr >> 16) & 0o111, oct(i.external_attr >> 16)
names = z.namelist()
assert "t3q_elyra/schemas/t3q.json" in names, names
ep = [n for n in names if n.endswith("entry_points.txt")][0]
text = z.read(ep).decode()
assert "t3q = t3q_elyra.processor:T3qPipelineProcessor" in text and "t3q = t3q_elyra.schema:T3qSchemasProvider" in text, text
wheel = z.read([n for n in names if n.endswith(".dist-info/WHEEL")][0]).decode()
assert "Root-Is-Purelib: false" in wheel, wheel
PY
}
t0=$(date +%s)
step "scripts/build-wheel bundles the static t3q-compile, tagged manylinux" build
echo "# wheel built in $(($(date +%s) - t0)) s: $(basename "$(cat "$T/whl")")"
whl=$(cat "$T/whl")

venv_install() {
	# Nothing of the Elyra overlay (PYTHONPATH) may be seen.
	env -i HOME="$T" PATH=/usr/bin:/bin /usr/bin/python3 -m venv "$T/venv" &&
	env -i HOME="$T" PATH=/usr/bin:/bin "$T/venv/bin/pip" install -q --disable-pip-version-check \
		--no-index --no-deps "$whl" &&
	ls "$T"/venv/lib/python3*/site-packages/t3q_elyra/bin/t3q-compile
}
step "it installs into a fresh venv (no Elyra needed for the compiler)" venv_install
bundled() {
	env -i HOME="$T" PATH=/nonexistent "$T/venv/bin/python" -c \
		'from t3q_elyra import compiler; print(compiler.locate())' >"$T/located" || return 1
	cat "$T/located"
	grep -qx "$T/venv/lib/python3.*/site-packages/t3q_elyra/bin/t3q-compile" "$T/located"
}
step "with nothing on PATH the package finds its bundled t3q-compile" bundled
runs() {
	local c
	c=$(cat "$T/located")
	env -i PATH=/nonexistent "$c" --version || return 1
	mapfile -t args <"$T3Q_SRC/examples/iris/compile.args"
	(cd "$T3Q_SRC/examples/iris" && env -i PATH=/nonexistent "$c" iris.pipeline "${args[@]}" -o "$T/iris.yaml") || return 1
	cmp "$T/iris.yaml" "$T3Q_SRC/examples/iris/iris.yaml"
}
step "the bundled t3q-compile runs and compiles iris to examples/iris/iris.yaml" runs

# Elyra with the wheel instead of the source tree, no t3q-compile on PATH.
elyra_with_wheel() {
	local d=$T/iris bucket
	"$ELYRA_BIN/pip" install -q --disable-pip-version-check --no-deps --no-compile \
		--target "$T/wsite" "$whl" || return 1
	bucket=$(new_bucket)
	PATH=$ELYRA_BIN:/usr/bin:/bin PYTHONPATH=$T/wsite runtime wheel --cos_endpoint="$T3Q_S3_ENDPOINT" \
		--cos_bucket="$bucket" --cos_username="$AWS_ACCESS_KEY_ID" --cos_password="$AWS_SECRET_ACCESS_KEY" \
		--cos_auth_type=USER_CREDENTIALS --api_endpoint=http://127.0.0.1:9/pipeline || return 1
	cp -r "$T3Q_SRC/examples/iris" "$d"
	(cd "$d" && PATH=$ELYRA_BIN:/usr/bin:/bin PYTHONPATH=$T/wsite \
		elyra-pipeline export --runtime-config wheel --output "$d/out.yaml" iris.pipeline) || return 1
	! PATH=$ELYRA_BIN:/usr/bin:/bin command -v t3q-compile || return 1
	(cd "$d" && t3q-compile iris.pipeline --runtime-config "$RUNTIMES/wheel.json" \
		--cos-directory "$(yaml_arg "$d/out.yaml" --cos-directory)" -o "$d/t3q.yaml" 2>/dev/null) || return 1
	cmp "$d/t3q.yaml" "$d/out.yaml"
}
step "Elyra exports with the wheel's t3q-compile, none on PATH" elyra_with_wheel

finish
