#!/usr/bin/python3
"""Fault-injecting HTTP/1.1 reverse proxy for S3 client retry tests.

Sits between the S3 client (libcurl) and an S3 server (MinIO).  Each request is
either proxied faithfully or gets one injected fault:

  500, 503, slowdown  S3 XML error answered by the proxy; upstream never sees it
  reset               TCP RST in the middle of the transfer (see do_reset)
  stall               read the request, then say nothing for --stall-seconds
  truncate            forward the response head and ~half the body, then FIN
  flip                forward all, but flip one byte in the middle of a 2xx
                      response body of known length (corrupt data the
                      client must catch by its checksum)
  flipup              flip one byte in the middle of the request body on
                      its way upstream (the server must catch it)
  403                 S3's AccessDenied, which a client must not retry

Not in the default --faults: flip and flipup (a client without checksums
would take the bytes as good), and 403 (AccessDenied: final, never retried).  Each log line ends with the request's
notable headers: expect (100-continue), crc32c (x-amz-checksum-crc32c),
mode (x-amz-checksum-mode), range, or '-'.

Faithful means byte-for-byte: request line, headers (Host included) and body
are relayed untouched, because the client signs them with AWS SigV4.  Bodies
are streamed in CHUNK-sized pieces so memory stays bounded for huge objects.
One thread per client connection, one upstream connection per request (so an
upstream keep-alive state can never leak between requests or faults).
Standard library only; run with /usr/bin/python3.
"""
import argparse
import os
import random
import select
import signal
import socket
import struct
import sys
import threading
import time

CHUNK = 64 * 1024
MAX_LINE = 64 * 1024        # longest request/status/header line we accept
MAX_HEADERS = 200
IO_TIMEOUT = 300            # seconds; only to reap dead peers, never hit in tests
ALL_FAULTS = ('500', '503', 'slowdown', 'reset', 'stall', 'truncate')
EXTRA_FAULTS = ('flip', 'flipup', '403')
ERRORS = {  # fault -> (status, reason, S3 code, message)
    '500': (500, 'Internal Server Error', 'InternalError',
            'We encountered an internal error. Please try again.'),
    '503': (503, 'Service Unavailable', 'ServiceUnavailable',
            'The service is unavailable. Please retry.'),
    'slowdown': (503, 'Slow Down', 'SlowDown', 'Please reduce your request rate.'),
    '502': (502, 'Bad Gateway', 'BadGateway', 'faultproxy could not reach upstream.'),
    '400': (400, 'Bad Request', 'BadRequest', 'faultproxy could not parse the request.'),
    '403': (403, 'Forbidden', 'AccessDenied', 'Access Denied.'),
}


class ProtocolError(Exception):
    """Peer sent something we cannot frame; the connection must be dropped."""


def readline(f):
    line = f.readline(MAX_LINE + 1)
    if not line.endswith(b'\n'):
        raise ProtocolError('EOF or over-long line')
    return line


def read_head(f):
    """Raw lines of a message head (start line .. blank line), or None on a
    clean EOF before the first byte (client closed an idle keep-alive conn)."""
    lines = []
    while True:
        line = f.readline(MAX_LINE + 1)
        if not line and not lines:
            return None
        if not line.endswith(b'\n'):
            raise ProtocolError('EOF or over-long line in head')
        if not lines and line in (b'\r\n', b'\n'):
            continue                # RFC 9112 2.2: ignore stray CRLF before a request
        lines.append(line)
        if line in (b'\r\n', b'\n'):
            return lines
        if len(lines) > MAX_HEADERS:
            raise ProtocolError('too many headers')


def parse_headers(lines):
    """lower-cased name -> list of stripped values (for framing decisions only;
    what we forward is always the raw lines)."""
    h = {}
    for line in lines[1:-1]:
        name, sep, value = line.partition(b':')
        if sep:
            h.setdefault(name.strip().lower(), []).append(value.strip())
    return h


def has_token(h, name, token):
    return any(token in v.lower() for v in h.get(name, []))


def body_framing(h):
    """('chunked', None) | ('length', n) | ('none', 0) for a request, per RFC 9112 6.3."""
    if h.get(b'transfer-encoding'):
        if not h[b'transfer-encoding'][-1].lower().endswith(b'chunked'):
            raise ProtocolError('unsupported transfer-encoding')
        return 'chunked', None
    if b'content-length' in h:
        n = int(h[b'content-length'][-1])
        if n < 0:
            raise ProtocolError('negative content-length')
        return ('length', n) if n else ('none', 0)
    return 'none', 0


def relay_length(src, n, sink):
    while n > 0:
        data = src.read1(min(n, CHUNK))   # read1: pass on what arrived, don't wait to fill
        if not data:
            raise ProtocolError('EOF inside body')
        sink(data)
        n -= len(data)


def relay_chunked(src, sink, cut=False):
    """Relay a chunked body verbatim (framing included, so the receiver sees
    the same chunks).  With cut=True stop after half of the first data chunk,
    since the total length of a chunked body is unknown up front."""
    while True:
        line = readline(src)
        size = int(line.split(b';', 1)[0].strip(), 16)
        sink(line)
        if size == 0:                     # last chunk; trailers end at blank line
            while True:
                t = readline(src)
                sink(t)
                if t in (b'\r\n', b'\n'):
                    return
        relay_length(src, size // 2 if cut else size, sink)
        if cut:
            return
        sink(readline(src))               # CRLF after chunk data


def relay_body(src, kind, n, sink, cut=False):
    if kind == 'length':
        relay_length(src, n // 2 if cut else n, sink)
    elif kind == 'chunked':
        relay_chunked(src, sink, cut)
    elif kind == 'close':                 # body ends when upstream closes
        while True:
            data = src.read1(CHUNK)
            if not data:
                return
            if cut:                       # length unknown: half of the first read
                sink(data[:len(data) // 2])
                return
            sink(data)


def discard(_data):
    pass


def flipper(sink, at):
    """A sink that passes the bytes on with the one at offset `at` inverted."""
    seen = [0]

    def out(data):
        if seen[0] <= at < seen[0] + len(data):
            b = bytearray(data)
            b[at - seen[0]] ^= 0xff
            data = bytes(b)
        seen[0] += len(data)
        sink(data)
    return out


class Proxy:
    def __init__(self, args):
        host, _, port = args.upstream.rpartition(':')
        self.upstream = (host, int(port))
        self.fail_rate = args.fail_rate
        self.faults = args.faults
        self.stall_seconds = args.stall_seconds
        self.after = args.after
        self.methods = args.methods
        self.max_faults = args.max_faults
        self.faulted = 0
        self.next_kind = 0
        self.rng = random.Random(args.seed)
        self.count = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.log = open(args.log, 'a', buffering=1) if args.log else None

    def decide(self, method):
        # Counter and RNG draw under one lock, so the fault sequence for a seed
        # is reproducible (which connection gets request n depends on timing).
        # Fault kinds take turns rather than being drawn, so that any run
        # with at least len(faults) faults exercises every kind.
        with self.lock:
            self.count += 1
            n = self.count
            if n <= self.after or self.fail_rate <= 0:
                return n, None
            if self.methods and method not in self.methods:
                return n, None
            if self.max_faults and self.faulted >= self.max_faults:
                return n, None
            if self.rng.random() < self.fail_rate:
                self.faulted += 1
                kind = self.faults[self.next_kind % len(self.faults)]
                self.next_kind += 1
                return n, kind
            return n, None

    def write_log(self, entry):
        with self.lock:                   # lock also orders us against close at exit
            if self.log and not self.log.closed:
                self.log.write('%s %s %s %s %s %s\n' % tuple(
                    x.decode('latin-1') if isinstance(x, bytes) else x for x in entry))

    # ---- connection handling ------------------------------------------------

    def handle_client(self, sock):
        sock.settimeout(IO_TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rfile = sock.makefile('rb')
        try:
            # Keep-alive: serve requests until the client closes or we must close.
            while not self.stop.is_set():
                head = read_head(rfile)
                if head is None or not self.serve_one(sock, rfile, head):
                    break
        except (OSError, ProtocolError, ValueError):
            pass                          # client went away or spoke garbage: just drop it
        finally:
            self.close(sock, rfile)

    @staticmethod
    def close(sock, rfile, rst=False):
        if rst:
            # SO_LINGER on with timeout 0 makes close() send RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        # makefile() holds a reference; the fd only closes once both are closed.
        rfile.close()
        sock.close()

    def serve_one(self, sock, rfile, head):
        """Handle one request; return True to keep the client connection open."""
        parts = head[0].split()
        n, fault = self.decide(parts[0].decode('latin-1') if parts else '')
        entry = [n, parts[0] if parts else b'-', parts[1] if len(parts) > 1 else b'-',
                 fault or 'pass', '-', '-']
        try:
            try:
                if len(parts) != 3:
                    raise ProtocolError('bad request line')
                h = parse_headers(head)
                kind, length = body_framing(h)
            except (ProtocolError, ValueError):
                entry[4] = self.send_error(sock, '400', n, b'-', False)
                return False
            method = parts[0].upper()
            expect = has_token(h, b'expect', b'100-continue') and kind != 'none'
            flags = [name for name, hdr in (('expect', b'expect'),
                                            ('crc32c', b'x-amz-checksum-crc32c'),
                                            ('mode', b'x-amz-checksum-mode'),
                                            ('range', b'range')) if hdr in h]
            entry[5] = ','.join(flags) or '-'
            req = (method, parts[1], kind, length, expect)

            def read_body(cut=False):
                if expect:                # we own the 100-continue handshake
                    sock.sendall(b'HTTP/1.1 100 Continue\r\n\r\n')
                relay_body(rfile, kind, length, discard, cut)

            if fault in ERRORS:
                read_body()               # drain first, so the client isn't mid-send
                entry[4] = self.send_error(sock, fault, n, parts[1], method == b'HEAD')
                return False
            if fault == 'stall':
                read_body()
                self.stall(sock)
                return False
            if fault == 'reset' and (kind != 'none' or method in (b'HEAD', b'DELETE')):
                # The response will (almost surely) have no body, so the RST has
                # to hit the request side: mid request body, or right after the
                # head if there is no body at all.  Upstream is not contacted.
                if kind != 'none':
                    read_body(cut=True)
                self.close(sock, rfile, rst=True)
                return False
            client_close = parts[2].upper() != b'HTTP/1.1' or has_token(h, b'connection', b'close')
            return self.forward(sock, rfile, head, req, fault, entry) and not client_close
        finally:
            self.write_log(entry)

    def send_error(self, sock, key, n, resource, head_only):
        status, reason, code, message = ERRORS[key]
        res = resource.decode('latin-1').replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code>'
                '<Message>%s</Message><Resource>%s</Resource><RequestId>faultproxy-%d'
                '</RequestId></Error>' % (code, message, res, n)).encode()
        hdr = ('HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n'
               'x-amz-request-id: faultproxy-%d\r\nServer: faultproxy\r\nConnection: close\r\n\r\n'
               % (status, reason, len(body), n)).encode()
        sock.sendall(hdr if head_only else hdr + body)  # HEAD: headers only (RFC 9110 9.3.2)
        try:
            sock.shutdown(socket.SHUT_WR)  # FIN after the response, as promised by Connection: close
        except OSError:
            pass
        return status

    def stall(self, sock):
        """Say nothing until --stall-seconds pass, the client hangs up, or we stop."""
        deadline = time.monotonic() + self.stall_seconds
        while not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if select.select([sock], [], [], min(left, 0.5))[0]:
                if not sock.recv(CHUNK):  # EOF: client gave up (e.g. its timeout fired)
                    return

    def forward(self, sock, rfile, head, req, fault, entry):
        """Proxy one request upstream (fault is None, 'reset', 'truncate',
        'flip' or 'flipup')."""
        method, target, kind, length, expect = req
        try:
            up = socket.create_connection(self.upstream, timeout=IO_TIMEOUT)
        except OSError:
            if expect:                    # body never sent; don't read it, just close
                entry[4] = self.send_error(sock, '502', entry[0], target, method == b'HEAD')
                return False
            relay_body(rfile, kind, length, discard)
            entry[4] = self.send_error(sock, '502', entry[0], target, method == b'HEAD')
            return False
        up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        ufile = up.makefile('rb')
        try:
            # Head goes out verbatim, Expect included (it might be signed).  We
            # answer 100 ourselves and send the body at once, never waiting for
            # upstream's 100; the interim responses it sends are skipped below.
            up.sendall(b''.join(head))
            if expect:
                sock.sendall(b'HTTP/1.1 100 Continue\r\n\r\n')
            up_ok = [True]

            def to_upstream(data):
                # If upstream dies mid-body, keep draining the client so its
                # stream stays in sync; upstream's error response (if any) follows.
                if up_ok[0]:
                    try:
                        up.sendall(data)
                    except OSError:
                        up_ok[0] = False
            if fault == 'flipup' and kind == 'length':
                relay_body(rfile, kind, length, flipper(to_upstream, length // 2))
            else:
                relay_body(rfile, kind, length, to_upstream)
            if fault in ('flip', 'flipup'):
                fault_cut = False         # the connection goes on as usual
            else:
                fault_cut = bool(fault)

            try:
                while True:
                    rhead = read_head(ufile)
                    if rhead is None:
                        raise ProtocolError('upstream closed without response')
                    status = int(rhead[0].split()[1])
                    if not 100 <= status < 200:
                        break             # 1xx interim responses are not forwarded
                rh = parse_headers(rhead)
                if method == b'HEAD' or status in (204, 304):
                    rkind, rlen = 'none', 0
                elif rh.get(b'transfer-encoding'):
                    rkind, rlen = 'chunked', None
                elif b'content-length' in rh:
                    rlen = int(rh[b'content-length'][-1])
                    rkind = 'length' if rlen else 'none'
                else:
                    rkind, rlen = 'close', None
            except (OSError, ProtocolError, ValueError, IndexError):
                entry[4] = self.send_error(sock, '502', entry[0], target, method == b'HEAD')
                return False
            entry[4] = status

            if fault_cut and rkind == 'none':
                # No response body to cut: drop the response entirely.  The
                # upstream operation DID happen, which is the nasty real-world
                # case ("did my DELETE/PUT go through?").  reset -> RST,
                # truncate -> plain FIN (client sees an empty reply).
                self.close(sock, rfile, rst=(fault == 'reset'))
                return False
            sock.sendall(b''.join(rhead))
            if fault == 'flip' and rkind == 'length' and 200 <= status < 300:
                relay_body(ufile, rkind, rlen, flipper(sock.sendall, rlen // 2))
            else:
                relay_body(ufile, rkind, rlen, sock.sendall, cut=fault_cut)
            if fault_cut:
                if fault == 'truncate':
                    sock.shutdown(socket.SHUT_WR)
                self.close(sock, rfile, rst=(fault == 'reset'))
                return False
            # A close-delimited body can only end by closing the client side too.
            return rkind != 'close' and not has_token(rh, b'connection', b'close')
        finally:
            ufile.close()
            up.close()

    def serve(self, listener):
        listener.settimeout(0.5)          # wake up regularly to notice SIGTERM
        while not self.stop.is_set():
            try:
                conn, _ = listener.accept()
            except (socket.timeout, InterruptedError):
                continue
            threading.Thread(target=self.handle_client, args=(conn,), daemon=True).start()
        listener.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--upstream', required=True, help='HOST:PORT of the S3 server')
    ap.add_argument('--listen', default='127.0.0.1:0', help='HOST:PORT (port 0 = any free)')
    ap.add_argument('--port-file', help='write the bound port here')
    ap.add_argument('--seed', type=int, help='RNG seed (default: random, printed on stderr)')
    ap.add_argument('--fail-rate', type=float, default=0.3, help='probability of a fault')
    ap.add_argument('--faults', default=','.join(ALL_FAULTS), help='comma list of ' + ','.join(ALL_FAULTS))
    ap.add_argument('--stall-seconds', type=float, default=30.0)
    ap.add_argument('--after', type=int, default=0, help='first N requests always pass')
    ap.add_argument('--max-faults', type=int, default=0, help='inject at most N faults, then pass everything (0: no bound)')
    ap.add_argument('--methods', default='', help='comma list: only these methods get faults (default all)')
    ap.add_argument('--log', help='append one line per request')
    args = ap.parse_args()
    args.faults = [f.strip() for f in args.faults.split(',') if f.strip()]
    args.methods = [m.strip().upper() for m in args.methods.split(',') if m.strip()]
    bad = [f for f in args.faults if f not in ALL_FAULTS + EXTRA_FAULTS]
    if bad or not args.faults:
        ap.error('unknown or empty --faults: %s' % ','.join(bad))
    if not 0.0 <= args.fail_rate <= 1.0:
        ap.error('--fail-rate must be within [0, 1]')
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(2 ** 31)
    print('faultproxy: seed=%d' % args.seed, file=sys.stderr, flush=True)

    proxy = Proxy(args)
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: proxy.stop.set())
    host, _, port = args.listen.rpartition(':')
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, int(port)))
    listener.listen(128)
    port = listener.getsockname()[1]
    if args.port_file:
        # Write-then-rename so a polling test script never reads a half-written file.
        tmp = args.port_file + '.tmp'
        with open(tmp, 'w') as f:
            f.write('%d\n' % port)
        os.replace(tmp, args.port_file)
    print('faultproxy listening on %s:%d' % (host, port), flush=True)
    proxy.serve(listener)
    with proxy.lock:                      # daemon threads may still be logging
        if proxy.log:
            proxy.log.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
