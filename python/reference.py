"""The talk's Python, run by `concurrency-lab compare --python`: one JSON line per call on stdout.

  python3 python/reference.py probe
  python3 python/reference.py run '{"workload": "thumbnail", "model": "processes", ...}'
  python3 python/reference.py memory '{"count": 8, "holdUrl": "http://127.0.0.1:PORT/work"}'

workload: thumbnail | matrix | http. model: sequential | processes (multiprocessing.Pool) |
threads (ThreadPoolExecutor) | asyncio (http only, aiohttp).
"""

import hashlib
import json
import math
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import closed_loop  # noqa: E402
import memory  # noqa: E402
import workloads  # noqa: E402


def percentile(sorted_values, q):
    """Nearest rank over every latency (the Node side reads the same from a histogram)."""
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[index]


def probe():
    import PIL
    import aiohttp
    import requests

    return {"python": platform.python_version(), "executable": sys.executable,
            "pillow": PIL.__version__, "requests": requests.__version__, "aiohttp": aiohttp.__version__}


def job_for(spec):
    """The job function, its arguments and what the run read (for the sha256 / upstream checks)."""
    workload = spec["workload"]
    if workload == "thumbnail":
        with open(spec["imagePath"], "rb") as image:
            jpeg = image.read()
        workloads.load_source(jpeg)
        return workloads.make_thumbnail, (), {"imageSha256": hashlib.sha256(jpeg).hexdigest(), "imageBytes": len(jpeg)}
    if workload == "matrix":
        return workloads.multiply_matrices, (spec["size"],), {}
    if workload == "http":
        url = f"{spec['upstreamUrl'].rstrip('/')}/work?bytes={spec['size']}"
        return workloads.get_with_requests, (url,), {"url": url}
    raise ValueError(f"unknown workload {workload!r}")


def run(spec):
    job, args, inputs = job_for(spec)
    model, concurrency, workers = spec["model"], spec["concurrency"], spec["workers"]
    warmup_s, duration_s = spec["warmupMs"] / 1000, spec["durationMs"] / 1000
    pids = []
    runners = 1  # processes or threads that run the jobs
    if model == "sequential":
        tally, wall_s, cpu_s = closed_loop.run_sequential(job, args, warmup_s, duration_s, [])
    elif model == "processes":
        (tally, wall_s, cpu_s), pids = closed_loop.run_pool(job, args, workers, concurrency, warmup_s, duration_s)
        runners = workers
    elif model == "threads":
        # I/O threads: one per request in flight, as the talk's threading example; CPU: a pool of N.
        threads = concurrency if spec["workload"] == "http" else workers
        tally, wall_s, cpu_s = closed_loop.run_threads(job, args, threads, concurrency, warmup_s, duration_s)
        runners = threads
    elif model == "asyncio" and spec["workload"] == "http":
        import aiohttp

        def make_session(limit):
            return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit), timeout=aiohttp.ClientTimeout(total=10))

        url = inputs["url"]
        tally, wall_s, cpu_s = closed_loop.run_asyncio(make_session, lambda session: workloads.get_with_aiohttp(session, url), concurrency, warmup_s, duration_s)
    else:
        raise ValueError(f"model {model!r} does not apply to {spec['workload']!r}")
    latencies = sorted(tally.latencies_ms)
    ok = len(latencies)
    return {
        "workload": spec["workload"], "model": model, "size": spec["size"], "concurrency": concurrency,
        "workers": runners,
        "jobs": ok + sum(tally.errors.values()), "ok": ok, "errors": tally.errors,
        "wallSeconds": wall_s, "jobsPerSecond": ok / wall_s if wall_s > 0 else 0,
        "latencyMs": {"p50": percentile(latencies, 0.5), "p90": percentile(latencies, 0.9), "p99": percentile(latencies, 0.99),
                      "max": latencies[-1] if latencies else None, "mean": sum(latencies) / ok if ok else None},
        "cpuSeconds": cpu_s, "coresUsed": cpu_s / wall_s if wall_s > 0 else 0,
        "cpuMsPerJob": 1000 * cpu_s / ok if ok else None,
        "childPids": pids, "inputs": inputs,
    }


def measure_memory(spec):
    units = [memory.process_memory(spec["count"]), memory.thread_memory(spec["count"])]
    if spec.get("holdUrl"):
        units.append(memory.coroutine_memory(spec["count"], spec["holdUrl"]))
    return {"units": units}


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    spec = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    if command == "probe":
        result = probe()
    elif command == "run":
        result = run(spec)
    elif command == "memory":
        result = measure_memory(spec)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
