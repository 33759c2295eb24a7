"""How much one more unit costs, measured like the Node side's units (src/report/how-many-fit.ts).

process: PSS per idle multiprocessing.Pool worker (its private pages plus its share of pages
shared with the parent after fork). thread: RSS growth of this process per idle thread.
coroutine: the larger of RSS growth and Python heap growth (tracemalloc) per aiohttp request
held in flight against an upstream that does not answer yet.
"""

import asyncio
import gc
import os
import re
import threading
import time
import tracemalloc

import aiohttp

from closed_loop import process_pool

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE


def pss_bytes(pid):
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        match = re.search(r"^Pss:\s+(\d+) kB$", rollup.read(), re.M)
    return int(match.group(1)) * 1024


def open_sockets():
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


def process_memory(count):
    pool, pids = process_pool(count)
    try:
        pss = [pss_bytes(pid) for pid in pids]
        return {"unit": "process", "started": len(pids), "bytesPerUnit": sum(pss) / len(pids),
                "method": "PSS of idle multiprocessing.Pool workers (fork) ÷ their number"}
    finally:
        pool.terminate()
        pool.join()


def thread_memory(count):
    stop = threading.Event()

    def start(n):
        threads = [threading.Thread(target=stop.wait) for _ in range(n)]
        for thread in threads:
            thread.start()
        return threads

    warm = start(2)
    gc.collect()
    before = rss_bytes()
    threads = start(count)
    # A thread's stack is reserved, not resident: only the pages it touched count, as for Node.
    after = rss_bytes()
    stop.set()
    for thread in warm + threads:
        thread.join()
    return {"unit": "thread", "started": count, "bytesPerUnit": max(0, after - before) / count,
            "method": "RSS growth of this process per idle threading.Thread"}


def coroutine_memory(count, hold_url):
    async def hold(n):
        connector = aiohttp.TCPConnector(limit=0)
        session = aiohttp.ClientSession(connector=connector)
        tasks = [asyncio.ensure_future(session.get(hold_url)) for _ in range(n)]
        base = open_sockets()
        deadline = time.monotonic() + 30
        while open_sockets() - base < n and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        connected = min(n, open_sockets() - base)
        return session, tasks, connected

    async def release(session, tasks):
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await session.close()

    async def main():
        session, tasks, _ = await hold(16)  # loads the code every request needs
        await release(session, tasks)
        gc.collect()
        tracemalloc.start()
        before_rss, before_heap = rss_bytes(), tracemalloc.get_traced_memory()[0]
        session, tasks, connected = await hold(count)
        gc.collect()
        during_rss, during_heap = rss_bytes(), tracemalloc.get_traced_memory()[0]
        await release(session, tasks)
        tracemalloc.stop()
        per_rss = max(0, during_rss - before_rss) / max(1, connected)
        per_heap = max(0, during_heap - before_heap) / max(1, connected)
        return {"unit": "coroutine", "started": connected, "bytesPerUnit": max(per_rss, per_heap),
                "rssBytesPerUnit": per_rss, "heapBytesPerUnit": per_heap,
                "method": "the larger of RSS growth and tracemalloc growth per aiohttp request held in flight"}

    return asyncio.run(main())
