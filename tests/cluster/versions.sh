# tests/cluster/versions.sh: every part of the test cluster (scripts/cluster),
# pinned here, and where each built part is cached (keyed by its version, so
# a second 'scripts/cluster build' builds nothing). Sourced after
# tests/tools/versions.sh (T3Q_CACHE, MinIO, crane, registry).
T3Q_CLUSTER_CACHE=$T3Q_CACHE/cluster
# Kubernetes: 1.30 (this machine's cgroup v1 rules out 1.35), built from the
# Go module proxy through a wrapper module; staging modules are v0.X.Y.
K8S_VERSION=v1.30.14
K8S_STAGING_VERSION=v0.30.14
# CoreDNS from the Go module proxy: the version Kubernetes 1.30 ships.
COREDNS_VERSION=v1.11.3
# Argo Workflows: v3.3.8 is KFP 1.8's; the others KFP 2.x backends'. The
# first is the default of 'scripts/cluster up'.
ARGO_VERSIONS="v3.3.8 v4.0.5 v3.4.16 v3.5.14 v3.6.7"
ARGO_DEFAULT=v3.3.8
# The runtime image: Debian bookworm from Debian's mirror (mmdebstrap), with
# these packages. Its cache key is a hash of this list and the suite.
RUNTIME_SUITE=bookworm
RUNTIME_PACKAGES="python3,python3-nbclient,python3-ipykernel,python3-nbconvert,python3-pandas,python3-sklearn,r-base-core,ca-certificates"
# The Debian packages the cluster runs from (apt): etcd 3.4, containerd 1.6,
# runc 1.1, CNI plugins 1.1; dnsmasq-base only for the DNS case.
CLUSTER_DEBS="etcd-server containerd runc containernetworking-plugins conntrack iptables busybox-static umoci skopeo mmdebstrap dnsmasq-base openssl curl"

T3Q_K8S_DIR=$T3Q_CLUSTER_CACHE/kubernetes-$K8S_VERSION
T3Q_COREDNS_BIN=$T3Q_CLUSTER_CACHE/coredns-$COREDNS_VERSION/coredns
t3q_argo_dir() { echo "$T3Q_CLUSTER_CACHE/argo-$1"; }
t3q_runtime_key() { echo "$RUNTIME_SUITE $RUNTIME_PACKAGES" | sha256sum | cut -c1-12; }
T3Q_RUNTIME_TAR=$T3Q_CLUSTER_CACHE/runtime-$RUNTIME_SUITE-$(t3q_runtime_key)/root.tar
