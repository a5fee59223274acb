"""elyra_export_cluster.py: Elyra 4.0.0's own 'elyra-pipeline export' for
bench/cluster, run inside the cluster's network namespace, so that the
dependency archives it uploads land in the cluster's MinIO, where its pods
will fetch them.

    python elyra_export_cluster.py COS_HOST COS_PORT NODE_IP:PORT -- ELYRA-PIPELINE-ARGS...

The YAML keeps the configured endpoint (the Service name the pods resolve,
minio-service.kubeflow:9000); this process resolves COS_HOST:COS_PORT to
NODE_IP:PORT, where MinIO listens, and refuses to connect anywhere else
(tests/tools/elyra/offline_export.py does the same with a private MinIO on
the loopback).
"""
import socket
import sys


def install(cos_host, cos_port, node_ip, node_port):
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host, port, *rest, **kw):
        h = host.decode() if isinstance(host, bytes) else host
        if h is not None and h.lower() == cos_host.lower() and str(port) == str(cos_port):
            return real_getaddrinfo(node_ip, node_port, *rest, **kw)
        raise socket.gaierror(socket.EAI_NONAME, "bench/cluster export: no lookup of %s" % h)

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] != node_ip:
            raise OSError("bench/cluster export: refused a connection to %s" % (address,))
        return real_connect(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[3] != "--":
        print(__doc__.strip().splitlines()[5].strip(), file=sys.stderr)
        return 2
    node_ip, node_port = args[2].rsplit(":", 1)
    install(args[0], args[1], node_ip, int(node_port))
    from elyra.cli.pipeline_app import pipeline
    return pipeline.main(args=args[4:], prog_name="elyra-pipeline", standalone_mode=True)


if __name__ == "__main__":
    sys.exit(main())
