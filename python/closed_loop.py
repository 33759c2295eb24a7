"""Closed-loop load, like the Node side's: keep C jobs in flight until the deadline, then stop.

Every model counts the same things: jobs settled, their latency (submit to done, so queueing in
a pool counts), errors by type, and CPU seconds of this process and of its pool's children.
"""

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import get_context

from cpu_time import CpuClock


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies_ms = []
        self.errors = {}

    def ok(self, started):
        with self.lock:
            self.latencies_ms.append((time.perf_counter() - started) * 1000)

    def failed(self, error):
        name = type(error).__name__
        with self.lock:
            self.errors[name] = self.errors.get(name, 0) + 1


def _run_window(submit_one, concurrency, seconds, tally):
    """Keeps `concurrency` jobs in flight through `submit_one(done)` until `seconds` passed; waits for the last ones."""
    slots = threading.BoundedSemaphore(concurrency)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if not slots.acquire(timeout=max(0.0, deadline - time.perf_counter())):
            break
        submit_one(slots.release)
    for _ in range(concurrency):
        slots.acquire()
    for _ in range(concurrency):
        slots.release()


def run_sequential(job, args, warmup_s, duration_s, children):
    tally = Tally()
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        job(*args)
    clock = CpuClock(children)
    started_at = time.perf_counter()
    end = started_at + duration_s
    while time.perf_counter() < end:
        started = time.perf_counter()
        try:
            job(*args)
            tally.ok(started)
        except Exception as error:  # counted, like a failed Node job
            tally.failed(error)
    return tally, time.perf_counter() - started_at, clock.seconds()


def run_executor(submit, concurrency, warmup_s, duration_s, children):
    """`submit(on_ok, on_error)` starts one job: on a multiprocessing.Pool or a ThreadPoolExecutor."""
    def window(seconds, tally):
        def submit_one(release):
            started = time.perf_counter()

            def ok(_result):
                tally.ok(started)
                release()

            def error(exc):
                tally.failed(exc)
                release()

            submit(ok, error)

        _run_window(submit_one, concurrency, seconds, tally)

    window(warmup_s, Tally())
    clock = CpuClock(children)
    tally = Tally()
    started_at = time.perf_counter()
    window(duration_s, tally)
    return tally, time.perf_counter() - started_at, clock.seconds()


def _pid(_):
    return os.getpid()


def process_pool(workers):
    """multiprocessing.Pool with fork, as the talk's examples on Linux; returns the pool and its children's pids."""
    pool = get_context("fork").Pool(workers)
    pool.map(_pid, range(workers * 4))
    return pool, [process.pid for process in pool._pool]


def submit_to_pool(pool, job, args):
    def submit(ok, error):
        pool.apply_async(job, args, callback=ok, error_callback=error)

    return submit


def submit_to_threads(executor, job, args):
    def submit(ok, error):
        future = executor.submit(job, *args)

        def settled(done):
            exc = done.exception()
            if exc is None:
                ok(done.result())
            else:
                error(exc)

        future.add_done_callback(settled)

    return submit


def run_threads(job, args, threads, concurrency, warmup_s, duration_s):
    with ThreadPoolExecutor(max_workers=threads) as executor:
        return run_executor(submit_to_threads(executor, job, args), concurrency, warmup_s, duration_s, [])


def run_pool(job, args, workers, concurrency, warmup_s, duration_s):
    pool, pids = process_pool(workers)
    try:
        return run_executor(submit_to_pool(pool, job, args), concurrency, warmup_s, duration_s, pids), pids
    finally:
        pool.terminate()
        pool.join()


def run_asyncio(make_session, job, concurrency, warmup_s, duration_s):
    """`concurrency` coroutines on one event loop, each awaiting `job(session)` in a loop until the deadline."""

    async def window(session, seconds, tally):
        deadline = time.perf_counter() + seconds

        async def one_coroutine():
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    await job(session)
                    tally.ok(started)
                except Exception as error:
                    tally.failed(error)

        await asyncio.gather(*(one_coroutine() for _ in range(concurrency)))

    async def main():
        async with make_session(concurrency) as session:
            await window(session, warmup_s, Tally())
            clock = CpuClock([])
            tally = Tally()
            started_at = time.perf_counter()
            await window(session, duration_s, tally)
            return tally, time.perf_counter() - started_at, clock.seconds()

    return asyncio.run(main())
