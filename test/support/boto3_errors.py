"""Drives the gateway with boto3 into its error paths and prints, as one JSON object, the error code and
HTTP status botocore read for each: {"case": {"code": "...", "status": 404}}.

The endpoint and keys come from S3_ENDPOINT, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (kept out of argv).
"""
import json
import os
import sys

import boto3
from botocore.client import Config
from botocore.exceptions import ClientError


def client(secret=None, key_id=None):
    return boto3.client(
        's3',
        endpoint_url=os.environ['S3_ENDPOINT'],
        aws_access_key_id=key_id or os.environ['S3_ACCESS_KEY_ID'],
        aws_secret_access_key=secret or os.environ['S3_SECRET_ACCESS_KEY'],
        region_name='us-east-1',
        config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}, retries={'max_attempts': 1}),
    )


def error_of(call):
    try:
        call()
    except ClientError as err:
        return {'code': err.response['Error']['Code'], 'status': err.response['ResponseMetadata']['HTTPStatusCode']}
    return {'code': 'no error', 'status': 200}


def main(bucket):
    s3 = client()
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key='present', Body=b'abc')
    cases = {
        'NoSuchKey': lambda: s3.get_object(Bucket=bucket, Key='absent'),
        'NoSuchBucket': lambda: s3.get_object(Bucket=bucket + '-absent', Key='x'),
        'BucketAlreadyOwnedByYou': lambda: s3.create_bucket(Bucket=bucket),
        'BucketNotEmpty': lambda: s3.delete_bucket(Bucket=bucket),
        'InvalidBucketName': lambda: s3.create_bucket(Bucket='ab'),
        'InvalidRange': lambda: s3.get_object(Bucket=bucket, Key='present', Range='bytes=100-200'),
        'PreconditionFailed': lambda: s3.get_object(Bucket=bucket, Key='present', IfMatch='"0123"'),
        'BadDigest': lambda: s3.put_object(Bucket=bucket, Key='k', Body=b'abc', ContentMD5='AAAAAAAAAAAAAAAAAAAAAA=='),
        'NoSuchUpload': lambda: s3.abort_multipart_upload(Bucket=bucket, Key='k', UploadId='absent'),
        'NotImplemented': lambda: s3.get_bucket_tagging(Bucket=bucket),
        'SignatureDoesNotMatch': lambda: client(secret='wrong' * 8).list_buckets(),
        'InvalidAccessKeyId': lambda: client(key_id='j' + 'a' * 27).list_buckets(),
    }
    print(json.dumps({name: error_of(call) for name, call in cases.items()}))


if __name__ == '__main__':
    main(sys.argv[1])
