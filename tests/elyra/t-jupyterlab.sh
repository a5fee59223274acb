#!/usr/bin/env bash
# The t3q runtime in a real JupyterLab 4 with Elyra 4.0.0, in headless
# Chromium: open examples/iris/iris.pipeline in the visual pipeline editor,
# open Export, choose the t3q runtime configuration (a plain kfp one is
# there too), export; the YAML appears in the file browser and is the one
# t3q-compile writes. Screenshots are kept in the build dir
# (tests/elyra-screenshots/). Needs Debian's chromium and playwright-core
# (scripts/install-test-deps).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/elyra-lib.sh"
. "$(dirname "$0")/jupyter-lib.sh"
browser_setup elyra-screenshots
bucket=$(new_bucket)
img=quay.io/t3q/t3q-bootstrap:0.1.0
root=$T/root
mkdir -p "$root/examples"
cp -r "$T3Q_SRC/examples/iris" "$root/examples/iris"
rm -f "$root/examples/iris/iris.yaml"

step "a t3q runtime configuration" runtime t3q-minio \
	--display_name="Kubeflow Pipelines (t3q), local MinIO" \
	--cos_endpoint="$T3Q_S3_ENDPOINT" --cos_bucket="$bucket" \
	--cos_username="$AWS_ACCESS_KEY_ID" --cos_password="$AWS_SECRET_ACCESS_KEY" \
	--cos_auth_type=USER_CREDENTIALS --bootstrap_image=$img --api_endpoint=http://127.0.0.1:9/pipeline
step "a plain kfp one beside it" elyra-metadata create runtimes --schema_name=kfp --name=plain-kfp \
	--display_name="Kubeflow Pipelines (Elyra's own)" --api_endpoint=http://127.0.0.1:9/pipeline \
	--cos_endpoint="$T3Q_S3_ENDPOINT" --cos_bucket="$bucket" --cos_auth_type=USER_CREDENTIALS \
	--cos_username="$AWS_ACCESS_KEY_ID" --cos_password="$AWS_SECRET_ACCESS_KEY"
t0=$(date +%s)
step "JupyterLab with Elyra and t3q-elyra starts" start_server "$root" lab
echo "# JupyterLab up in $(($(date +%s) - t0)) s"

browser_export() {
	node "$T3Q_SRC/tests/elyra/jupyterlab-export.js" "$base" "$token" examples/iris/iris.pipeline \
		"Kubeflow Pipelines (t3q), local MinIO" iris.yaml "$shots"
}
t0=$(date +%s)
step "the editor exports iris.pipeline with the t3q runtime" browser_export
echo "# browser run in $(($(date +%s) - t0)) s; screenshots in $shots"

same_yaml() {
	local y=$root/examples/iris/iris.yaml dir
	[ -s "$y" ] || { echo "no $y"; return 1; }
	"$T3Q_ARGOLINT_BIN" "$y" || return 1
	dir=$(yaml_arg "$y" --cos-directory)
	# What the editor sent: node files relative to the server's root.
	"$ELYRA_BIN/python" "$T3Q_SRC/tests/elyra/payload.py" "$root/examples/iris/iris.pipeline" "$root" \
		t3q-minio >"$T/iris.pipeline" || return 1
	t3q-compile "$T/iris.pipeline" --base-dir "$root" --runtime-config "$RUNTIMES/t3q-minio.json" \
		--cos-directory "$dir" --bootstrap-image $img -o "$T/t3q.yaml" || return 1
	cmp "$T/t3q.yaml" "$y" || { diff -u "$T/t3q.yaml" "$y" | head -30; return 1; }
	[ "$(t3q s3 ls -r "s3://$bucket/$dir/" | grep -c 'tar.gz$')" = 3 ]
}
step "the exported YAML is t3q-compile's, the archives are in the bucket" same_yaml
step "no traceback in the JupyterLab log" sh -c "! grep -n Traceback '$T/server.log'"

finish
