"""The talk's three kinds of work, each a plain function of its inputs (picklable for a Pool).

The inputs are the Node side's own: the same JPEG file, the same seeded matrices (the lab's
mulberry32 generator, ported below) and the same upstream URL and /work path.
"""

import io
import threading

from PIL import Image
import requests

THUMBNAIL_BOX = (75, 75)


_source_jpeg = b""


def load_source(jpeg_bytes):
    """Set before the Pool forks, so each worker has the bytes once and a job sends none (like the Node pools)."""
    global _source_jpeg
    _source_jpeg = jpeg_bytes


def make_thumbnail():
    """Pillow's thumbnail((75, 75)), as in the talk: draft() lets libjpeg decode at 1/8 scale.

    A new decode and a real JPEG encode every time: nothing is cached between jobs.
    """
    image = Image.open(io.BytesIO(_source_jpeg))
    image.thumbnail(THUMBNAIL_BOX)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return len(out.getvalue())


def mulberry32(seed):
    """src/scenarios/prng.ts in Python: the same floats in [0, 1) for the same seed."""
    state = seed & 0xFFFFFFFF

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def next_float():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return next_float


def random_matrix(n, seed):
    random = mulberry32(seed)
    return [[random() * 2 - 1 for _ in range(n)] for _ in range(n)]


def multiply_matrices(n):
    """Pure-Python N×N multiply of the lab's two seeded matrices (i-k-j order, like matrix.ts); returns the checksum."""
    a = random_matrix(n, n)
    b = random_matrix(n, n + 1)
    total = 0.0
    for row in a:
        out = [0.0] * n
        for k, aik in enumerate(row):
            b_row = b[k]
            for j in range(n):
                out[j] += aik * b_row[j]
        total += sum(out)
    return total


_local = threading.local()


def get_with_requests(url):
    """One GET with requests, a keep-alive Session per thread (requests' Session is not thread-safe)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        session.trust_env = False  # the loopback upstream, never a proxy from the environment
    response = session.get(url, timeout=10)
    response.raise_for_status()
    return len(response.content)


async def get_with_aiohttp(session, url):
    async with session.get(url) as response:
        body = await response.read()
        response.raise_for_status()
        return len(body)
