#!/usr/bin/python3
"""A misbehaving S3 server for fuzzing the client (tests/s3/own-fakes3.sh,
scripts/fuzz-s3).  Standard library only; loopback only.

It keeps objects in memory (PUT, multipart upload, GET, GET ?partNumber=,
HEAD, DELETE) and answers each request either faithfully or with one fault
drawn from --faults by a seeded RNG (--seed, --rate), or forced by
--force FAULT[,FAULT...] (one per request, in order, then faithful):

  empty206     a part's 206 with an empty body (but a full Content-Range)
  badrange     a 206 whose Content-Range is off (start or total, drawn)
  badstart     a 206 whose Content-Range starts a byte late
  badtotal     a 206 whose Content-Range gives a total a byte larger
  longpart     a part's 206 with one byte more than the part (and a
               Content-Range that says so)
  short        a 200/206 whose Content-Length and body are shorter
  trickle      the body at 2 bytes/s
  crawl        the body at 16 KiB/s (above any stall limit, but slow)
  stall        the head, then silence
  truncate     half the body, then the connection closed
  flip         one byte of the body flipped (a checksum is always sent)
  nochecksum   no x-amz-checksum-* header
  crc32 crc32c crc64nvme sha1 sha256
               that checksum announced (right) instead of the object's own
  ifmatch      If-Match ignored: a part of another version of the object,
               with that version's ETag
  500 503      an S3 error document
  slowread     an upload's body read at 2 bytes/s
  incomplete   an upload answered 400 IncompleteBody (MinIO, loaded)
  think        CompleteMultipartUpload thought over for 3 s, with a
               space every half second (as S3 keeps the line up)
  300          a 300 Multiple Choices (as a proxy's page might be): no
               success (only by --force)
  badxml       a listing cut short: not XML (only by --force: the
               fuzz run GETs, never lists)
  lostreply    CompleteMultipartUpload done, then the connection closed
               without an answer: its retry finds no such upload (as
               MinIO behind a proxy that cut it; only by --force)
  nosuchupload CompleteMultipartUpload answered 404 NoSuchUpload, nothing
               done (only by --force)

Preloaded objects: --object KEY=FILE[:PARTSIZE[:ALGO[:TYPE]]]; with
PARTSIZE it is a multipart object (ETag "-N", parts by number; FIRST/PARTSIZE:
part 1 is FIRST bytes, the others PARTSIZE, as some uploaders do); ALGO is
its stored checksum (crc32c, crc32, crc64nvme, sha1, sha256, none), TYPE
COMPOSITE or FULL_OBJECT.  Every request and its fault is logged (--log).
"""
import argparse
import base64
import hashlib
import http.server
import random
import socketserver
import sys
import threading
import time
import urllib.parse
import zlib

ALL_FAULTS = ('empty206', 'badrange', 'badstart', 'badtotal', 'longpart',
              'short', 'trickle', 'crawl', 'stall',
              'truncate',
              'flip', 'nochecksum', 'crc32', 'crc32c', 'crc64nvme', 'sha1',
              'sha256', 'ifmatch', '500', '503', 'slowread', 'incomplete',
              'think')
ALGOS = ('crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256')
SLOW_SECONDS = 30           # a trickle or stall ends by itself after this


def _table(poly, bits):
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        t.append(c)
    return t, (1 << bits) - 1


CRC32C = _table(0x82F63B78, 32)
CRC64NVME = _table(0x9A6C9329AC4BC9B5, 64)   # reflected 0xAD93D23594C93659


def _crc(tab, data):
    t, mask = tab
    c = mask
    for b in data:
        c = t[(c ^ b) & 0xff] ^ (c >> 8)
    return c ^ mask


def digest(algo, data):
    """The raw checksum bytes of data, as S3 base64-encodes them."""
    if algo == 'crc32':
        return (zlib.crc32(data) & 0xffffffff).to_bytes(4, 'big')
    if algo == 'crc32c':
        return _crc(CRC32C, data).to_bytes(4, 'big')
    if algo == 'crc64nvme':
        return _crc(CRC64NVME, data).to_bytes(8, 'big')
    return hashlib.new(algo, data).digest()


def b64(raw):
    return base64.b64encode(raw).decode()


class Obj:
    def __init__(self, data, psize=0, algo='crc32c', ctype='COMPOSITE',
                 first=0):
        self.data = data
        self.psize = psize
        self.first = first or psize     # part 1's size, if not psize
        self.algo = algo
        self.ctype = ctype
        self.cache = {}
        if psize:
            n = len(self.parts())
            md5s = b''.join(hashlib.md5(p).digest() for p in self.parts())
            self.etag = '%s-%d' % (hashlib.md5(md5s).hexdigest(), n)
        else:
            self.etag = hashlib.md5(data).hexdigest()

    def parts(self):
        return [self.data[:self.first]] + [
            self.data[i:i + self.psize]
            for i in range(self.first, len(self.data), self.psize)]

    def part_range(self, num):
        if num == 1:
            return 0, min(self.first, len(self.data))
        a = self.first + (num - 2) * self.psize
        return a, min(a + self.psize, len(self.data))

    def checksum(self, algo, start=None, end=None):
        """(header value, type) of the whole object, or of a part range."""
        key = (algo, start, end)
        if key not in self.cache:
            if start is not None:
                v = b64(digest(algo, self.data[start:end]))
            elif self.psize and self.ctype == 'COMPOSITE' and algo != 'crc64nvme':
                raw = b''.join(digest(algo, p) for p in self.parts())
                v = '%s-%d' % (b64(digest(algo, raw)), len(self.parts()))
            else:
                v = b64(digest(algo, self.data))
            self.cache[key] = v
        return self.cache[key]


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.rng = random.Random(args.seed)
        self.rate = args.rate
        self.faults = args.faults.split(',') if args.faults else list(ALL_FAULTS)
        self.forced = args.force.split(',') if args.force else []
        self.objects = {}
        self.uploads = {}
        self.log = open(args.log, 'a', buffering=1) if args.log else None
        self.count = 0
        self.store = None

    def put(self, key, obj):
        self.objects[key] = obj
        if self.store:
            import os
            path = os.path.join(self.store, urllib.parse.quote(key, safe=''))
            with open(path + '.tmp', 'wb') as fh:
                fh.write(obj.data)
            os.rename(path + '.tmp', path)

    def pick(self):
        with self.lock:
            self.count += 1
            if self.forced:
                return self.forced.pop(0)
            if self.rng.random() < self.rate:
                return self.rng.choice(self.faults)
            return 'none'

    def note(self, line):
        if self.log:
            with self.lock:
                self.log.write('%.3f %s\n' % (time.time(), line))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'fakes3'

    def log_message(self, *a):
        pass

    def split(self):
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        return urllib.parse.unquote(u.path.lstrip('/')), q

    def error_doc(self, status, code, msg='fakes3'):
        body = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code>'
                '<Message>%s</Message></Error>' % (code, msg)).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/xml')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        # A HEAD's answer has no body: one would be read as the next answer.
        if self.command != 'HEAD':
            self.wfile.write(body)

    def slow(self, data, n=2, pause=1.0):
        """n bytes a pause, until the client goes or SLOW_SECONDS pass."""
        end = time.time() + self.server.slow_seconds
        for i in range(0, len(data), n):
            if time.time() > end:
                break
            self.wfile.write(data[i:i + n])
            self.wfile.flush()
            time.sleep(pause)
        self.close_connection = True

    def read_body(self, fault):
        n = int(self.headers.get('Content-Length', '0'))
        if fault != 'slowread':
            return self.rfile.read(n)
        out = b''
        end = time.time() + self.server.slow_seconds
        while len(out) < n and time.time() < end:
            out += self.rfile.read(min(2, n - len(out)))
            time.sleep(1)
        self.close_connection = True
        return None

    def common(self, fault):
        st = self.server.state
        st.note('%s %s %s' % (self.command, self.path, fault))
        if fault in ('500', '503', '300'):
            if self.command in ('PUT', 'POST'):
                self.read_body('none')
            self.error_doc(int(fault), {'500': 'InternalError', '503': 'ServiceUnavailable',
                                        '300': 'MultipleChoices'}[fault])
            return True
        if fault == 'incomplete' and self.command == 'PUT':
            self.read_body('none')
            self.error_doc(400, 'IncompleteBody', 'You did not provide the '
                           'number of bytes specified by the Content-Length')
            return True
        if fault == 'stall':
            time.sleep(self.server.slow_seconds)
            self.close_connection = True
            return True
        return False

    def do_GET(self, head=False):
        st = self.server.state
        fault = st.pick()
        if self.common(fault):
            return
        key, q = self.split()
        o = st.objects.get(key)
        if o is None:
            # a listing: GET /bucket or /bucket/ (the client's form)
            if self.headers.get('x-amz-checksum-mode') is None and '/' not in key.rstrip('/'):
                return self.list_bucket(key.rstrip('/'), q, fault)
            return self.error_doc(404, 'NoSuchKey', 'no such key')
        status, a, e, part = 200, 0, len(o.data), None
        if 'partNumber' in q and o.psize:
            part = int(q['partNumber'])
            if part < 1 or part > len(o.parts()):
                return self.error_doc(416, 'InvalidPartNumber')
            a, e = o.part_range(part)
            status = 206
        etag = o.etag
        data = o.data
        if fault == 'ifmatch' and part:
            other = bytes(b ^ 0x55 for b in o.data)
            data = other
            etag = hashlib.md5(etag.encode()).hexdigest() + '-%d' % len(o.parts())
        elif self.headers.get('If-Match') not in (None, '"%s"' % etag):
            return self.error_doc(412, 'PreconditionFailed')
        body = data[a:e]
        self.send_response(status)
        self.send_header('ETag', '"%s"' % etag)
        self.send_header('Accept-Ranges', 'bytes')
        if o.psize:
            self.send_header('x-amz-mp-parts-count', str(len(o.parts())))
        algo = o.algo
        if fault in ALGOS:
            algo = fault
        if fault == 'flip' and algo == 'none':
            # A checksum that makes the flip seen: a part of a
            # multipart object carries no CRC64NVME (it is full-object).
            algo = st.rng.choice([x for x in ALGOS
                                  if not part or x != 'crc64nvme'])
        if (self.headers.get('x-amz-checksum-mode', '').upper() == 'ENABLED'
                and algo != 'none' and fault != 'nochecksum'):
            if part:
                # A part of another version is checked by its own bytes.
                ck = b64(digest(algo, body)) if fault == 'ifmatch' else \
                    o.checksum(algo, a, e)
                if o.ctype != 'COMPOSITE' or algo == 'crc64nvme':
                    ck = None
            elif fault in ALGOS or fault == 'flip':
                ck = (b64(digest(algo, body)) if not o.psize
                      else o.checksum(algo))
            else:
                ck = o.checksum(algo)
            if ck:
                self.send_header('x-amz-checksum-' + algo, ck)
                self.send_header('x-amz-checksum-type',
                                 'COMPOSITE' if ck.find('-') > 0 or part
                                 else 'FULL_OBJECT')
        length = len(body)
        if status == 206:
            ra, rt = a, len(o.data)
            if fault == 'badrange':
                fault = st.rng.choice(('badstart', 'badtotal'))
            if fault == 'badstart':
                ra += 1
            elif fault == 'badtotal':
                rt += 1
            elif fault == 'longpart':
                body = data[a:e + 1] if e < len(data) else data[a:e] + b'?'
                length = len(body)
            self.send_header('Content-Range', 'bytes %d-%d/%d' %
                             (ra, ra + len(body) - 1, rt))
        if fault == 'empty206':
            body, length = b'', 0       # on a whole GET: an empty 200
        if fault == 'short' and length > 1:
            length //= 2
            body = body[:length]
        self.send_header('Content-Length', str(length))
        self.end_headers()
        if head or not length:
            return
        if fault == 'flip':
            body = bytearray(body)
            body[len(body) // 2] ^= 0x01
            body = bytes(body)
        if fault == 'trickle':
            return self.slow(body)
        if fault == 'crawl':
            return self.slow(body, 4096, 0.25)
        if fault == 'truncate':
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET(head=True)

    def list_bucket(self, bucket, q, fault='none'):
        st = self.server.state
        prefix = q.get('prefix', '')
        items = ''.join('<Contents><Key>%s</Key><Size>%d</Size><ETag>"%s"</ETag>'
                        '</Contents>' % (k.split('/', 1)[1], len(o.data), o.etag)
                        for k, o in sorted(st.objects.items())
                        if k.startswith(bucket + '/' + prefix))
        body = ('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult>'
                '<IsTruncated>false</IsTruncated>%s</ListBucketResult>'
                % items).encode()
        if fault == 'badxml':
            body = body[:len(body) // 2]
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        st = self.server.state
        fault = st.pick()
        if self.common(fault):
            return
        key, q = self.split()
        body = self.read_body(fault)
        if body is None:
            return
        if '/' not in key:       # a bucket
            self.send_response(200)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        sent = self.headers.get('x-amz-checksum-crc32c')
        if sent and sent != b64(digest('crc32c', body)):
            return self.error_doc(400, 'BadDigest', 'CRC32C mismatch')
        if 'uploadId' in q:
            up = st.uploads.get(q['uploadId'])
            if up is None:
                return self.error_doc(404, 'NoSuchUpload')
            up[int(q['partNumber'])] = body
            etag = hashlib.md5(body).hexdigest()
        else:
            st.put(key, Obj(body))
            etag = st.objects[key].etag
        self.send_response(200)
        self.send_header('ETag', '"%s"' % etag)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def do_POST(self):
        st = self.server.state
        fault = st.pick()
        if self.common(fault):
            return
        key, q = self.split()
        self.read_body('none')
        if 'uploads' in q:
            uid = '%x' % st.rng.getrandbits(64)
            st.uploads[uid] = {}
            body = ('<InitiateMultipartUploadResult><UploadId>%s</UploadId>'
                    '</InitiateMultipartUploadResult>' % uid).encode()
        elif 'uploadId' in q and fault == 'nosuchupload':
            return self.error_doc(404, 'NoSuchUpload')
        elif 'uploadId' in q:
            up = st.uploads.pop(q['uploadId'], None)
            if up is None:
                return self.error_doc(404, 'NoSuchUpload')
            parts = [up[k] for k in sorted(up)]
            o = Obj(b''.join(parts), len(parts[0]), 'none')
            st.put(key, o)
            body = ('<CompleteMultipartUploadResult><ETag>"%s"</ETag>'
                    '</CompleteMultipartUploadResult>' % o.etag).encode()
        else:
            return self.error_doc(400, 'InvalidRequest')
        if fault == 'lostreply' and 'uploadId' in q:
            self.close_connection = True
            return
        if fault == 'think' and 'uploadId' in q:
            self.send_response(200)
            self.send_header('Connection', 'close')
            self.end_headers()
            for _ in range(6):
                self.wfile.write(b' ')
                self.wfile.flush()
                time.sleep(0.5)
            self.wfile.write(body)
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_DELETE(self):
        st = self.server.state
        key, q = self.split()
        st.note('DELETE %s none' % self.path)
        if 'uploadId' in q:
            st.uploads.pop(q['uploadId'], None)
        else:
            st.objects.pop(key, None)
        self.send_response(204)
        self.end_headers()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--port-file', required=True)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--rate', type=float, default=0.0,
                    help='share of requests that get a fault')
    ap.add_argument('--faults', default='', help='comma list (default: all)')
    ap.add_argument('--force', default='', help='faults for the first requests')
    ap.add_argument('--object', action='append', default=[])
    ap.add_argument('--log')
    ap.add_argument('--slow-seconds', type=float, default=SLOW_SECONDS,
                    help='a trickle, crawl or stall ends after this')
    ap.add_argument('--store', help='directory: every object stored is '
                    'written there too, under its quoted key')
    ap.add_argument('--lifetime', type=float, default=3600,
                    help='seconds before the server exits by itself')
    args = ap.parse_args()
    srv = Server(('127.0.0.1', 0), Handler)
    srv.state = State(args)
    srv.slow_seconds = args.slow_seconds
    srv.state.store = args.store
    for spec in args.object:
        key, _, rest = spec.partition('=')
        f = rest.split(':')
        with open(f[0], 'rb') as fh:
            data = fh.read()
        # PARTSIZE, or FIRST/PARTSIZE: part 1 of another size
        sizes = (f[1] if len(f) > 1 and f[1] else '0').split('/')
        srv.state.objects[key] = Obj(data, int(sizes[-1]),
                                     f[2] if len(f) > 2 else 'crc32c',
                                     f[3] if len(f) > 3 else 'COMPOSITE',
                                     int(sizes[0]) if len(sizes) > 1 else 0)
    with open(args.port_file + '.tmp', 'w') as fh:
        fh.write(str(srv.server_address[1]))
    import os
    os.rename(args.port_file + '.tmp', args.port_file)
    threading.Timer(args.lifetime, lambda: os._exit(0)).start()
    srv.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
