"""offline_export.py: runs Elyra's own 'elyra-pipeline' CLI with no network.

    python offline_export.py COS_HOST COS_PORT LOCAL_PORT -- ELYRA-PIPELINE-ARGS...

Elyra 4.0.0's KFP export talks to object storage for every generic node:
it checks the bucket (creating it if missing) and uploads the node's
dependency archive, always to the runtime configuration's cos_endpoint,
the same endpoint that it writes into the exported YAML. So that the YAML
keeps the configured endpoint while the upload goes to the MinIO that
export.sh started on this machine, name resolution of COS_HOST:COS_PORT is
answered with 127.0.0.1:LOCAL_PORT. The S3 signature covers the Host
header that the client sends (the configured one), and MinIO checks it
against that same header, so it verifies.

Every other name lookup (but localhost and numeric addresses) and every
outbound connection to anything but the loopback addresses is refused: if
export ever tries to reach the KFP API or anything else, it fails loudly
instead of hanging or leaking.
"""
import ipaddress
import socket
import sys


def install_offline(cos_host: str, cos_port: int, local_port: int) -> None:
    """Routes COS_HOST:COS_PORT to 127.0.0.1:LOCAL_PORT and refuses every
    other lookup and non-loopback connection, for this whole process
    (batch_export.py uses it too)."""
    cos_host = cos_host.lower()
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *rest, **kw):
        h = host.decode() if isinstance(host, bytes) else host
        try:
            p = int(port) if port is not None else None
        except (TypeError, ValueError):
            p = port
        if h is not None and h.lower().strip("[]") == cos_host.strip("[]") and p == cos_port:
            return real_getaddrinfo("127.0.0.1", local_port, *rest, **kw)
        # No DNS either: only numeric addresses and localhost resolve.
        if h is not None and h.lower() != "localhost":
            try:
                ipaddress.ip_address(h.strip("[]").split("%")[0])
            except ValueError:
                raise socket.gaierror(socket.EAI_NONAME, f"t3q offline export: no name resolution for {h} (no network)")
        return real_getaddrinfo(host, port, *rest, **kw)

    def is_loopback(address) -> bool:
        try:
            return ipaddress.ip_address(address[0].split("%")[0]).is_loopback
        except ValueError:
            return False

    def guard(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address):
            raise OSError(f"t3q offline export: refused a connection to {address[0]} port {address[1]} (no network)")

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self, address):
        guard(self, address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(self, address)
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex


def main() -> int:
    args = sys.argv[1:]
    if len(args) < 4 or args[3] != "--":
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    install_offline(args[0], int(args[1]), int(args[2]))
    cli_args = args[4:]

    from elyra.cli.pipeline_app import pipeline

    return pipeline.main(args=cli_args, prog_name="elyra-pipeline", standalone_mode=True)


if __name__ == "__main__":
    sys.exit(main())
