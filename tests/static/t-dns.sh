#!/usr/bin/env bash
# The static t3q-bootstrap (musl) resolves wherever glibc does. In a
# network and mount namespace of its own, the test runs dnsmasq as a
# cluster DNS that answers a name's AAAA query with NXDOMAIN while its A
# query has the address (address=/NAME/IP with local=/cluster.local/, as
# the real-cluster run of issue 24 had it), a resolv.conf like a pod's
# (Kubernetes' search list, ndots:5) mounted over /etc/resolv.conf, and
# MinIO; then it runs the bootstrap against http://minio-service.kubeflow.
#
# musl's getaddrinfo(AF_UNSPEC) sends A and AAAA and takes NXDOMAIN for
# either as "no such name"; glibc keeps the A answer. Before the fix the
# static binary failed here with "Could not resolve host".
#
# Also: a name with no record at all fails within seconds, naming the
# host; NODATA for AAAA (what CoreDNS answers) works; the glibc build
# (T3Q_BIN) resolves the same names.
#
# T3Q_STATIC_BIN (set by tests/CMakeLists.txt) is the binary; missing: skip.
if [ -z "${T3Q_DNS_NETNS:-}" ]; then
	bin=${T3Q_STATIC_BIN:-${T3Q_SRC:-.}/build/static/t3q-bootstrap}
	skip() { echo "skipped: $1"; exit 77; }
	[ -x "$bin" ] || skip "no static binary at $bin: run scripts/build-static"
	[ "$(id -u)" = 0 ] || skip "a network namespace and mounts need root"
	[ -n "${T3Q_TEST_S3_ENDPOINT:-}" ] &&
		skip "an external endpoint is set: the test runs its own MinIO in its own network"
	for t in unshare ip dnsmasq dig; do
		command -v $t >/dev/null ||
			skip "no $t: run scripts/install-test-deps"
	done
	[ -e /etc/resolv.conf ] || skip "no /etc/resolv.conf to mount over"
	# Everything below runs in new network and mount namespaces (mounts
	# private): they end with the last process in them, so nothing of
	# them can be left behind.
	T3Q_DNS_NETNS=1 T3Q_STATIC_BIN=$bin exec unshare --net --mount \
		--propagation private bash "$0" "$@"
	exit 1
fi

# The fixture's MinIO is in the parent's network: this test starts its own.
unset T3Q_S3_STATE
. "$(dirname "$0")/../bootstrap/lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
bin=$T3Q_STATIC_BIN
dns=10.96.0.10
# Two attempts: a failure to resolve is retried, and the failures this
# test looks for must not take T3Q_S3_MAX_ATTEMPTS=10's minute each.
export T3Q_S3_MAX_ATTEMPTS=2

ip link set lo up
ip addr add $dns/32 dev lo

# A cluster DNS, and only it: cluster.local and kubeflow are answered from
# its records alone, so a name it has no record of does not exist.
cat >"$T/dnsmasq.conf" <<EOF
no-resolv
no-hosts
listen-address=$dns
bind-interfaces
log-queries
local=/cluster.local/
local=/kubeflow/
# A: the address; AAAA: NXDOMAIN (no record for it under local=).
address=/minio-service.kubeflow.svc.cluster.local/127.0.0.1
# the same for a name that the search list does not complete
address=/minio-bare.kubeflow/127.0.0.1
# AAAA: NODATA (NOERROR, no answer), as from CoreDNS
host-record=minio-nodata.kubeflow.svc.cluster.local,127.0.0.1
EOF
dnsmasq -k -C "$T/dnsmasq.conf" -u root --pid-file="$T/dnsmasq.pid" \
	--log-facility="$T/dnsmasq.log" &
dnsmasq_pid=$!
at_exit "kill $dnsmasq_pid"

# What a pod gets, from the kubelet, for a pod in namespace kubeflow.
printf '%s\n' 'search kubeflow.svc.cluster.local svc.cluster.local cluster.local' \
	"nameserver $dns" 'options ndots:5' >"$T/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$T/hosts"
mount --bind "$T/resolv.conf" /etc/resolv.conf
mount --bind "$T/hosts" /etc/hosts

for _ in $(seq 1 50); do
	dig +short +time=1 +tries=1 @$dns minio-service.kubeflow.svc.cluster.local A |
		grep -q . && break
	sleep 0.1
done

"$T3Q_SRC/tests/tools/s3server.sh" start minio "$T/s3" >"$T/s3.log" 2>&1 ||
	{ cat "$T/s3.log"; exit 1; }
at_exit "'$T3Q_SRC/tests/tools/s3server.sh' stop '$T/s3'"
. "$T/s3/env"
port=${T3Q_S3_ENDPOINT##*:}

# status NAME TYPE: the resolver's answer, "NXDOMAIN 0" (rcode, answers).
status() {
	local out
	out=$(dig +time=2 +tries=1 @$dns "$1" "$2")
	echo "$out" >&2
	echo "$(echo "$out" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p') $(echo "$out" |
		sed -n 's/.*ANSWER: \([0-9]*\),.*/\1/p')"
}
resolver() {
	[ "$(status minio-service.kubeflow.svc.cluster.local A)" = "NOERROR 1" ] &&
	[ "$(status minio-service.kubeflow.svc.cluster.local AAAA)" = "NXDOMAIN 0" ] &&
	[ "$(status minio-bare.kubeflow A)" = "NOERROR 1" ] &&
	[ "$(status minio-bare.kubeflow AAAA)" = "NXDOMAIN 0" ] &&
	[ "$(status minio-nodata.kubeflow.svc.cluster.local AAAA)" = "NOERROR 0" ] &&
	[ "$(status nosuch.kubeflow A)" = "NXDOMAIN 0" ]
}
step "the resolver: an address for A, NXDOMAIN for AAAA (NODATA for minio-nodata)" resolver
glibc() {
	for n in minio-service minio-bare minio-nodata; do
		getent ahosts $n.kubeflow | grep -q '^127\.0\.0\.1 ' || return 1
	done
	! getent ahosts nosuch.kubeflow
}
step "control: glibc's getaddrinfo resolves the three names, and not nosuch.kubeflow" glibc

bucket=$(new_bucket)
dir=dns-01
src=$(mk_src)
cat >"$src/dns.sh" <<'SH'
echo "dns: ran"
mkdir -p out
echo "made by name" >out/result.txt
SH
step "the archive goes up with the dynamic build, by address" \
	upload_archive "$src" "$dir" dns.tar.gz dns.sh

# node BIN HOST N: a shell node run by BIN against http://HOST:port, in
# $T/wN; its log and output land under $dir/N/.
node() {
	local b=$1 host=$2 n=$3
	mkdir -p "$T/w$n"
	rc=0
	(cd "$T/w$n" && exec "$b" -e "http://$host:$port" -b "$bucket" -d "$dir" \
		-t dns.tar.gz -f dns.sh -n "$n" -o out/result.txt) \
		>"$T/stdout" 2>"$T/stderr" || rc=$?
	[ "$rc" = 0 ] || { show; return 1; }
	cp "$T/stderr" "$T/stderr.$n"
	grep -qx 'dns: ran' "$T/stdout" &&
	get_obj "$dir/dns.log" "$T/got.log" && grep -qx 'dns: ran' "$T/got.log" &&
	get_obj "$dir/out/result.txt" "$T/got.txt" &&
	[ "$(cat "$T/got.txt")" = "made by name" ] && t3q s3 rm "s3://$bucket/$dir/dns.log" >/dev/null &&
	t3q s3 rm "s3://$bucket/$dir/out/result.txt" >/dev/null
}
step "static: a node by name, through the search list (archive down, log and output up)" \
	node "$bin" minio-service.kubeflow 1
# Said once a client (the step's, the log streamer's), not once a request.
said() {
	local n
	n=$(grep -c "minio-service.kubeflow:$port: the name resolves when asked for IPv4 alone" "$T/stderr.1")
	echo "said $n times"
	[ "$n" -ge 1 ] && [ "$n" -le 2 ]
}
step "static: it says that the name resolves for IPv4 alone" said
step "static: a node by a name the search list does not complete" \
	node "$bin" minio-bare.kubeflow 2
step "static: a node by a name whose AAAA is NODATA (CoreDNS)" \
	node "$bin" minio-nodata.kubeflow 3
step "glibc: the node by name" \
	node "$T3Q_BIN/bootstrap/t3q-bootstrap" minio-service.kubeflow 4
at_once() { ! grep 'resolves when asked' "$T/stderr.3" "$T/stderr.4"; }
step "NODATA (static) and glibc resolve at once, with no one-family try" at_once

# Multipart upload and a download by parts in parallel, by name: 5 MiB parts.
# Each command says once that the name resolves for IPv4 alone: the
# client learnt it, and its later requests (the parts on their own
# handles too) ask for IPv4 alone rather than failing first.
big() {
	local verb
	head -c $((12 * 1024 * 1024 + 5)) /dev/urandom >"$T/big"
	for verb in put get; do
		if [ $verb = put ]; then
			set -- "$T/big" "s3://$bucket/big"
		else
			set -- "s3://$bucket/big" "$T/big.back"
		fi
		T3Q_S3_PART_SIZE=5242880 "$bin" s3 -e "http://minio-service.kubeflow:$port" \
			$verb "$@" 2>"$T/big.err" || { cat "$T/big.err"; return 1; }
		cat "$T/big.err"
		[ "$(grep -c 'the name resolves when asked for IPv4 alone' "$T/big.err")" = 1 ] ||
			{ echo "$verb: not said exactly once"; return 1; }
	done
	cmp "$T/big" "$T/big.back"
}
step "static: 12 MiB by name, multipart up and by parts down, said once a command" big

# The static t3q-compile (the wheel's) fetches a url-catalog component by
# name too: Elyra's 3-node custom pipeline with its components served over
# http at minio-service.kubeflow compiles as the glibc build compiles it.
compile=$(dirname "$bin")/t3q-compile
catalog() {
	local www=$T/www corpus examples src hport
	corpus=$(t3q_elyra_pkg) && examples=$(dirname "$corpus")/kfp_examples_connector/resources &&
		[ -d "$examples" ] || { echo "no Elyra examples catalog: skipped"; return 0; }
	mkdir -p "$www" && cp "$examples"/*.yaml "$www/"
	/usr/bin/python3 -c '
import functools, http.server, os, socketserver, sys
http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = socketserver.TCPServer(("127.0.0.1", 0), h)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()' "$www" "$T/hport" &
	at_exit "kill $!"
	for _ in $(seq 50); do [ -s "$T/hport" ] && break; sleep 0.1; done
	hport=$(cat "$T/hport")
	src=$corpus/tests/cli/resources/pipelines/kfp_3_node_custom.pipeline
	/usr/bin/python3 - "$src" "$T/cat.pipeline" "$hport" <<'PY' || return 1
import hashlib, json, sys
src, out, port = sys.argv[1:4]
d = json.load(open(src))
for n in d["pipelines"][0]["nodes"]:
    f = json.loads(n["app_data"]["component_source"])["component_ref"]["component-id"]
    url = "http://minio-service.kubeflow:%s/%s" % (port, f)
    n["op"] = "url-catalog:" + hashlib.sha256(url.encode()).hexdigest()[:12]
    n["app_data"]["component_source"] = json.dumps(
        {"catalog_type": "url-catalog", "component_ref": {"url": url}})
json.dump(d, open(out, "w"))
PY
	"$compile" "$T/cat.pipeline" --cos-endpoint http://minio:9000 --cos-bucket b \
		-o "$T/cat-static.yaml" || return 1
	"$T3Q_BIN/compiler/t3q-compile" "$T/cat.pipeline" --cos-endpoint http://minio:9000 \
		--cos-bucket b -o "$T/cat-glibc.yaml" &&
	cmp "$T/cat-static.yaml" "$T/cat-glibc.yaml"
}
if [ -x "$compile" ]; then
	step "static t3q-compile: url-catalog components by name, as the glibc build" catalog
else
	echo "# skipped the catalog step: no $compile"
fi

# nosuch BIN: a name with no record fails, naming the host, in the
# seconds its two attempts take (the fallback to one family does not wait).
nosuch() {
	local t0=$SECONDS
	mkdir -p "$T/nosuch" &&
	(cd "$T/nosuch" && expect_rc 81 "$1" -e "http://nosuch.kubeflow:$port" \
		-b "$bucket" -d "$dir" -t dns.tar.gz -f dns.sh -n nosuch) &&
	expect_out "Could not resolve host: nosuch.kubeflow" &&
	! grep -q "resolves when asked" "$T/out" &&
	{ [ $((SECONDS - t0)) -le 10 ] || { echo "took $((SECONDS - t0)) s"; return 1; }; }
}
step "static: a name with no record fails within 10 s (2 attempts), naming the host" nosuch "$bin"
step "glibc: the same" nosuch "$T3Q_BIN/bootstrap/t3q-bootstrap"

finish
