"""A real S3-compatible server for the tests: moto's standalone server on 127.0.0.1, spoken to over HTTP.

With ``auth=True`` it checks signatures (``INITIAL_NO_AUTH_ACTION_COUNT``): the first unauthenticated requests
create an IAM user and its key, and a wrong secret is then refused as by AWS. (moto 5.2 also refuses some valid
signed listings with a ``/`` in the prefix, so the other tests run without checks.) Subprocesses find the endpoint
and the key in the usual ``AWS_*`` variables, the way a user configures any S3 client.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BUCKET = "roots-test"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    env: dict[str, str]

    def fs(self) -> Any:
        import s3fs

        return s3fs.S3FileSystem(
            key=self.env["AWS_ACCESS_KEY_ID"],
            secret=self.env["AWS_SECRET_ACCESS_KEY"],
            endpoint_url=self.endpoint,
            use_listings_cache=False,
            skip_instance_cache=True,
        )

    def upload(self, local: Path, url: str) -> None:
        """Copy a file or a folder to ``s3://…``."""
        key = url.removeprefix("s3://")
        fs = self.fs()
        if local.is_dir():
            for path in sorted(local.rglob("*")):
                if path.is_file():
                    fs.put_file(str(path), f"{key}/{path.relative_to(local).as_posix()}")
        else:
            fs.put_file(str(local), key)

    def tree(self, url: str) -> dict[str, bytes]:
        """Every object under ``url`` (name relative to it → bytes)."""
        prefix = url.removeprefix("s3://").rstrip("/") + "/"
        fs = self.fs()
        return {key[len(prefix) :]: fs.cat_file(key) for key in sorted(fs.find(prefix))}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("moto.server exited at start")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("moto.server did not start")


@contextlib.contextmanager
def running_s3(auth: bool = False) -> Iterator[S3Server]:
    """Start the server, make its user and a bucket, set the ``AWS_*`` variables; stop it afterwards."""
    import boto3

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **({"INITIAL_NO_AUTH_ACTION_COUNT": "3"} if auth else {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    patch = pytest.MonkeyPatch()
    try:
        _wait_for(port, proc)
        key = {"AccessKeyId": "roots-test-key", "SecretAccessKey": "roots-test-secret"}
        if auth:
            iam = boto3.client(
                "iam", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
            )
            iam.create_user(UserName="roots")
            policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            iam.put_user_policy(UserName="roots", PolicyName="all", PolicyDocument=json.dumps(policy))
            key = iam.create_access_key(UserName="roots")["AccessKey"]
        env = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        for name, value in env.items():
            patch.setenv(name, value)
        server = S3Server(endpoint, env)
        server.fs().mkdir(BUCKET)
        yield server
    finally:
        patch.undo()
        proc.terminate()
        proc.wait(timeout=30)
