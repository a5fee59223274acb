"""boto3cp.py put FILE BUCKET KEY | get BUCKET KEY FILE: one transfer with
boto3's defaults (TransferConfig: 8 MiB multipart threshold and chunks,
10 threads), against T3Q_S3_ENDPOINT with the AWS_* credentials: the boto3
peer of bench/run's transfer benchmark.
"""
import os
import sys

import boto3


def main():
    s3 = boto3.client("s3", endpoint_url=os.environ["T3Q_S3_ENDPOINT"],
                      region_name="us-east-1")
    if sys.argv[1] == "put":
        s3.upload_file(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "get":
        s3.download_file(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit("usage: boto3cp.py put FILE BUCKET KEY | get BUCKET KEY FILE")


if __name__ == "__main__":
    main()
