#!/usr/bin/env bash
# scripts/build-image against a real registry (distribution v3, started here
# on 127.0.0.1 with its storage in the temp dir), with no Docker engine:
#  - the FROM-scratch t3q-bootstrap image and a --base image (a busybox
#    image this test builds with crane and pushes first) are each built
#    twice with the same digest, pushed, pulled back with skopeo and
#    unpacked with umoci, as a container runtime would;
#  - from the unpacked scratch image, in a chroot, the init container's
#    command (/t3q-bootstrap --copy /t3q/bin/t3q-bootstrap) copies the
#    binary into an "emptyDir" bind-mounted from a busybox step root, where
#    the copy runs a shell step against the MinIO fixture;
#  - in the unpacked --base image, /usr/local/bin/t3q-bootstrap runs the
#    same step (--bootstrap=in-image);
#  - the image's version is the one t3q-compile names by default.
# Needs root, the static binary (T3Q_STATIC_BIN) and crane, registry, umoci
# and skopeo (scripts/install-test-deps); skips without them.
. "$(dirname "$0")/../bootstrap/lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
bin=${T3Q_STATIC_BIN:-$T3Q_SRC/build/static/t3q-bootstrap}
[ -x "$bin" ] || skip_all "no static binary at $bin: run scripts/build-static"
[ "$(id -u)" = 0 ] || skip_all "chroot and mount need root"
[ -n "${T3Q_TEST_S3_ENDPOINT:-}" ] && skip_all "an external endpoint is set: the root reaches 127.0.0.1 only"
for t in "$T3Q_CRANE_BIN" "$T3Q_REGISTRY_BIN"; do
	[ -x "$t" ] || skip_all "no $t: run scripts/install-test-deps"
done
for t in umoci skopeo busybox; do
	command -v $t >/dev/null || skip_all "no $t: run scripts/install-test-deps"
done
busybox=$(command -v busybox)
chroot=$(command -v chroot)
unshare=$(command -v unshare)
file -L "$busybox" | grep -q 'statically linked' || skip_all "$busybox is not busybox-static"
build_image=$T3Q_SRC/scripts/build-image
crane() { "$T3Q_CRANE_BIN" --insecure "$@"; }
version=$("$bin" --version | awk '{ print $2; exit }')

# The registry, on a free port.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
reg=127.0.0.1:$port
cat >"$T/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $T/registry
http:
  addr: $reg
EOF
OTEL_TRACES_EXPORTER=none "$T3Q_REGISTRY_BIN" serve "$T/registry.yml" >"$T/registry.log" 2>&1 &
reg_pid=$!
at_exit "kill $reg_pid; wait $reg_pid 2>/dev/null"
up=
for _ in $(seq 100); do
	curl -fsS "http://$reg/v2/" >/dev/null 2>&1 && { up=1; break; }
	kill -0 $reg_pid 2>/dev/null || break
	sleep 0.1
done
[ -n "$up" ] || { cat "$T/registry.log"; echo "the registry did not start"; exit 1; }

# digest_of LAYOUT: the manifest digest its index names.
digest_of() {
	/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1] + "/index.json"))["manifests"][0]["digest"])' "$1"
}
# build NAME ARGS...: scripts/build-image ARGS, its digest in $T/NAME.digest.
build() {
	local n=$1
	shift
	SOURCE_DATE_EPOCH=1700000000 "$build_image" --bin "$bin" \
		--source https://example.org/t3q "$@" >"$T/$n.digest"
}
# again FIRST NAME ARGS...: build NAME ARGS, with the digest of FIRST.
again() {
	local first=$1
	shift
	build "$@" || return 1
	echo "$(cat "$T/$first.digest") $(cat "$T/$1.digest")"
	[ -s "$T/$1.digest" ] && [ "$(cat "$T/$first.digest")" = "$(cat "$T/$1.digest")" ]
}
# unpack REF DIR: skopeo copy into an OCI layout, umoci unpack: DIR/rootfs.
unpack() {
	skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$1" "oci:$T/pulled:$2" &&
	umoci unpack --image "$T/pulled:$2" "$T/$2"
}

# 1. The FROM-scratch image.
step "scratch image: built, as an OCI layout and a tar" build a --oci "$T/a" --tar "$T/a.tar"
step "scratch image: built again, the same digest" again a b --oci "$T/b"
step "scratch image: the layouts are byte for byte the same" diff -r "$T/a" "$T/b"
control() {
	SOURCE_DATE_EPOCH=1700000001 "$build_image" --bin "$bin" \
		--source https://example.org/t3q --oci "$T/e" >"$T/e.digest" &&
	cat "$T/e.digest" && [ "$(cat "$T/e.digest")" != "$(cat "$T/a.digest")" ]
}
step "control: another SOURCE_DATE_EPOCH, another digest" control
step "scratch image: the layout's digest is the one printed" sh -c "[ \"$(digest_of "$T/a")\" = \"\$(cat '$T/a.digest')\" ]"
ref=$reg/t3q/t3q-bootstrap
step "scratch image: pushed, a REF without a tag gets the version" \
	build push --push "$ref" --insecure
step "scratch image: the registry holds it as :$version with the digest built" \
	sh -c "[ \"\$('$T3Q_CRANE_BIN' --insecure digest '$ref:$version')\" = \"\$(cat '$T/a.digest')\" ] && cat '$T/push.digest'"
config() {
	crane config "$ref:$version" >"$T/config.json" &&
	/usr/bin/python3 - "$T/config.json" "$version" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
want = {"os": "linux", "architecture": "amd64"}
for k, v in want.items():
    assert c.get(k) == v, (k, c.get(k))
assert c["config"]["Entrypoint"] == ["/t3q-bootstrap"], c["config"]
labels = c["config"]["Labels"]
assert labels["org.opencontainers.image.version"] == sys.argv[2], labels
assert len(labels["org.opencontainers.image.revision"].split("-")[0]) == 40, labels
assert labels["org.opencontainers.image.source"] == "https://example.org/t3q", labels
assert c["created"] == "2023-11-14T22:13:20Z", c["created"]
print(json.dumps(c["config"]))
PY
}
step "scratch image: linux/amd64, ENTRYPOINT /t3q-bootstrap, OCI labels, created at SOURCE_DATE_EPOCH" config
step "scratch image: the tar goes to the registry with skopeo (oci-archive), same digest" sh -c "
	skopeo --insecure-policy copy -q --dest-tls-verify=false 'oci-archive:$T/a.tar' 'docker://$reg/t3q/from-tar:1' &&
	[ \"\$('$T3Q_CRANE_BIN' --insecure digest '$reg/t3q/from-tar:1')\" = \"\$(cat '$T/a.digest')\" ]"
step "scratch image: pulled back (skopeo) and unpacked (umoci)" unpack "$ref:$version" scratch
I=$T/scratch/rootfs
contents() {
	local files
	files=$(cd "$I" && find . ! -type d | sort | tr '\n' ' ')
	echo "$files"
	[ "$files" = "./etc/ssl/certs/ca-certificates.crt ./t3q-bootstrap " ] &&
	cmp "$bin" "$I/t3q-bootstrap" &&
	cmp /etc/ssl/certs/ca-certificates.crt "$I/etc/ssl/certs/ca-certificates.crt" &&
	[ "$(stat -c '%a %u %g' "$I/t3q-bootstrap")" = "755 0 0" ]
}
step "scratch image: holds /t3q-bootstrap (the binary, 0755, root) and the CA bundle, nothing else" contents

# 2. The init container, then a step with the binary it copied. The step's
# root (busybox, /etc/hosts as Kubernetes writes it, /tmp) has an empty
# /t3q/bin, the emptyDir, bind-mounted into the init container's root.
R=$T/step
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/dev" "$R/t3q/bin" "$I/t3q/bin" "$I/dev" "$I/proc"
chmod 1777 "$R/tmp"
mknod -m 666 "$R/dev/null" c 1 3
cp "$busybox" "$R/bin/busybox"
chroot "$R" /bin/busybox --install -s /bin
port_s3=${T3Q_S3_ENDPOINT##*:}
endpoint=http://minio-service.kubeflow:$port_s3
printf '127.0.0.1\tlocalhost\n127.0.0.1\tminio-service.kubeflow\n' >"$R/etc/hosts"
mount --bind "$R/t3q/bin" "$I/t3q/bin"
at_exit "umount '$I/t3q/bin'"
init() {
	# /proc as every runtime mounts it (--copy reads /proc/self/exe).
	env -i "$unshare" -p -f --mount-proc="$I/proc" \
		"$chroot" "$I" /t3q-bootstrap --copy /t3q/bin/t3q-bootstrap &&
	cmp "$bin" "$R/t3q/bin/t3q-bootstrap" &&
	[ "$(stat -c %a "$R/t3q/bin/t3q-bootstrap")" = 555 ]
}
step "init container: /t3q-bootstrap --copy /t3q/bin/t3q-bootstrap fills the emptyDir" init

bucket=$(new_bucket)
dir=image-01
src=$(mk_src)
cat >"$src/step.sh" <<'SH'
set -e
echo "image: hello from $(cat /etc/hostname 2>/dev/null || echo the step)"
mkdir -p results
echo "made by the copied binary" >results/out.txt
SH
step "the step's archive goes up" upload_archive "$src" "$dir" step.tar.gz step.sh
# run_in ROOT BOOTSTRAP WORKDIR: the step in ROOT, as its container would.
run_in() {
	rc=0
	env -i PATH=/bin HOME=/tmp AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
		AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
		"$chroot" "$1" "$2" -e "$endpoint" -b "$bucket" -d "$dir" -t step.tar.gz \
		-f step.sh -n image -o results/out.txt --run-id "$3" --work-dir "/$3" \
		>"$T/stdout" 2>"$T/stderr" || rc=$?
	[ "$rc" = 0 ] || { show; return 1; }
	grep -q '^image: hello from' "$T/stdout" &&
	get_obj "$dir/$3/step.log" "$T/$3.log" && grep -q '^image: hello from' "$T/$3.log" &&
	get_obj "$dir/$3/results/out.txt" "$T/$3.out" &&
	[ "$(cat "$T/$3.out")" = "made by the copied binary" ]
}
step "the copied /t3q/bin/t3q-bootstrap runs the step against MinIO: log and output uploaded" \
	run_in "$R" /t3q/bin/t3q-bootstrap run-scratch

# 3. --base: a busybox image of our own in the registry first.
B=$T/base-root
mkdir -p "$B/bin" "$B/tmp"
chmod 1777 "$B/tmp"
cp "$busybox" "$B/bin/busybox"
chroot "$B" /bin/busybox --install -s /bin
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$B" -cf "$T/base.tar" .
base=$reg/t3q/busybox
mk_base() {
	crane append --oci-empty-base -f "$T/base.tar" -t "$base:tmp" &&
	crane mutate --set-platform linux/amd64 --entrypoint=/bin/sh -t "$base:1" "$base:tmp"
}
step "base: a busybox image, made with crane append and pushed to the registry" mk_base
step "--base: built" build c --base "$base:1" --insecure --oci "$T/c"
step "--base: built again, the same digest" again c d --base "$base:1" --insecure --oci "$T/d"
step "--base: the layouts are byte for byte the same" diff -r "$T/c" "$T/d"
step "--base: pushed" build push-base --base "$base:1" --insecure --push "$base:with-t3q"
layers() {
	crane manifest "$base:1" >"$T/m1.json" && crane manifest "$base:with-t3q" >"$T/m2.json" &&
	crane config "$base:with-t3q" >"$T/c2.json" &&
	/usr/bin/python3 - "$T/m1.json" "$T/m2.json" "$T/c2.json" "$version" <<'PY'
import json, sys
m1, m2, c = (json.load(open(p)) for p in sys.argv[1:4])
assert [l["digest"] for l in m2["layers"][:-1]] == [l["digest"] for l in m1["layers"]], "base layers changed"
assert len(m2["layers"]) == len(m1["layers"]) + 1
assert c["config"]["Entrypoint"] == ["/bin/sh"], c["config"]
assert c["config"]["Labels"]["io.t3q.bootstrap.version"] == sys.argv[4], c["config"]
assert (c["os"], c["architecture"]) == ("linux", "amd64")
print("layers:", len(m2["layers"]))
PY
}
step "--base: the base's layers and entrypoint, plus one layer" layers
step "--base: pulled back (skopeo) and unpacked (umoci)" unpack "$base:with-t3q" based
J=$T/based/rootfs
based_contents() {
	cmp "$bin" "$J/usr/local/bin/t3q-bootstrap" && [ -x "$J/bin/busybox" ] && [ -L "$J/bin/sh" ]
}
step "--base: /usr/local/bin/t3q-bootstrap on top of busybox" based_contents
mkdir -p "$J/etc" "$J/dev"
mknod -m 666 "$J/dev/null" c 1 3
cp "$R/etc/hosts" "$J/etc/hosts"
step "--base: /usr/local/bin/t3q-bootstrap runs the step against MinIO (--bootstrap=in-image)" \
	run_in "$J" /usr/local/bin/t3q-bootstrap run-based

# 4. The compiler names this image and path by default.
compiled() {
	local c=$T3Q_SRC/tests/compile/001-one-notebook
	(cd "$c" && "$T3Q_BIN/compiler/t3q-compile" pipeline.pipeline \
		--cos-endpoint http://minio:9000 --cos-bucket b) >"$T/init.yaml" 2>"$T/init.err" &&
	grep -qxF "      image: \"t3q-bootstrap:$version\"" "$T/init.yaml" &&
	(cd "$c" && "$T3Q_BIN/compiler/t3q-compile" pipeline.pipeline --bootstrap=in-image \
		--cos-endpoint http://minio:9000 --cos-bucket b) >"$T/in-image.yaml" 2>/dev/null &&
	grep -qF -- '- "/usr/local/bin/t3q-bootstrap"' "$T/in-image.yaml" || {
		grep -n 'image:' "$T/init.yaml"; cat "$T/init.err"; return 1; }
}
step "t3q-compile's default --bootstrap-image is t3q-bootstrap:$version, the version built; in-image runs /usr/local/bin/t3q-bootstrap" compiled

finish
