"""Fetch one file over HTTP(S): progress bar, MD5 (datasets) or SHA-256 prefix (model weights) check, atomic
write."""
from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request

from tqdm import tqdm


def download_file(url: str, dest: str, md5: str | None, timeout: float = 30.0,
                  sha256_prefix: str | None = None) -> None:
    """Download ``url`` to ``dest``; the file appears only once complete and verified.

    Raises OSError (``urllib.error.URLError``) when the server can't be reached, and
    RuntimeError when the MD5 of the download differs from ``md5``, or its SHA-256 does not start
    with ``sha256_prefix`` (nothing is left behind).
    """
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix=".download-")
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "learntorch"})
        digest, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=os.path.basename(dest)) as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    digest.update(chunk)
                    sha256.update(chunk)
                    bar.update(len(chunk))
        if md5 is not None and digest.hexdigest() != md5:
            raise RuntimeError(f"{url}: checksum mismatch (MD5 {digest.hexdigest()}, expected {md5}); "
                               "the download was discarded")
        if sha256_prefix is not None and not sha256.hexdigest().startswith(sha256_prefix):
            raise RuntimeError(f"{url}: checksum mismatch (SHA-256 {sha256.hexdigest()}, expected it to start with "
                               f"{sha256_prefix}); the download was discarded")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
