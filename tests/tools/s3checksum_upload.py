#!/usr/bin/python3
"""Uploads a file to S3 with a given checksum algorithm, as boto3 does
(tests/s3/f-checksums.sh), through curl for the SigV4 signing:

  s3checksum_upload.py ENDPOINT BUCKET KEY FILE ALGO [PARTSIZE [TYPE]]

ALGO is crc32, crc32c, crc64nvme, sha1 or sha256. With PARTSIZE, a
multipart upload (TYPE COMPOSITE or FULL_OBJECT), every part carrying its
checksum. Credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakes3  # noqa: E402  (its checksum code)


def curl(args, data=None):
    cmd = ['curl', '-sS', '--fail-with-body', '--aws-sigv4', 'aws:amz:us-east-1:s3',
           '--user', '%s:%s' % (os.environ['AWS_ACCESS_KEY_ID'],
                                os.environ['AWS_SECRET_ACCESS_KEY']),
           '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD'] + args
    p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True)
    return p.stdout.decode()


def main():
    ep, bucket, key, path, algo = sys.argv[1:6]
    psize = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    ctype = sys.argv[7] if len(sys.argv) > 7 else 'COMPOSITE'
    data = open(path, 'rb').read()
    url = '%s/%s/%s' % (ep, bucket, key)
    hdr = 'x-amz-checksum-%s' % algo
    if not psize:
        curl(['-X', 'PUT', '-H', '%s: %s' % (hdr, fakes3.b64(fakes3.digest(algo, data))),
              '--data-binary', '@-', url], data)
        return 0
    out = curl(['-X', 'POST', '-H', 'x-amz-checksum-algorithm: %s' % algo.upper(),
                '-H', 'x-amz-checksum-type: %s' % ctype, '--data-binary', '',
                url + '?uploads='])
    uid = re.search(r'<UploadId>([^<]+)</UploadId>', out).group(1)
    xml = '<CompleteMultipartUpload>'
    for i in range(0, len(data), psize):
        n = i // psize + 1
        part = data[i:i + psize]
        ck = fakes3.b64(fakes3.digest(algo, part))
        p = subprocess.run(
            ['curl', '-sS', '--fail', '-D', '-', '-o', '/dev/null',
             '--aws-sigv4', 'aws:amz:us-east-1:s3', '--user', '%s:%s' % (
                 os.environ['AWS_ACCESS_KEY_ID'], os.environ['AWS_SECRET_ACCESS_KEY']),
             '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '-H', '%s: %s' % (hdr, ck),
             '-X', 'PUT', '--data-binary', '@-',
             '%s?partNumber=%d&uploadId=%s' % (url, n, uid)],
            input=part, stdout=subprocess.PIPE, check=True)
        etag = re.search(r'(?i)^etag:\s*(\S+)', p.stdout.decode(), re.M).group(1)
        xml += ('<Part><PartNumber>%d</PartNumber><ETag>%s</ETag>'
                '<Checksum%s>%s</Checksum%s></Part>' % (n, etag, algo.upper(), ck,
                                                        algo.upper()))
    xml += '</CompleteMultipartUpload>'
    out = curl(['-X', 'POST', '--data-binary', '@-', url + '?uploadId=' + uid],
               xml.encode())
    if '<Error>' in out:
        sys.exit(out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
