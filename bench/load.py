"""A small HTTP load generator (standard library only), run as its own process by bench/run.py.

Reads a JSON plan on stdin and prints JSON results on stdout:

    {"ports": [8101, 8102], "mode": "pages", "duration": 10, "concurrency": 4,
     "pages": [{"name": "...", "path": "/...", "cookie": "sessionid=..."}]}

"pages" mode measures each page in turn (every worker thread keeps one keep-alive connection to
one of the ports, so both web nodes serve every page); "paired" mode measures each page but the
first alternately with the first (the reference), request by request; "soak" mode runs `users` threads for
`duration` seconds, each picking pages at random, and counts errors.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import sys
import threading
import time


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, page: dict) -> tuple[int, float, int]:
        headers = {"Host": "127.0.0.1", "Accept-Encoding": "gzip", "User-Agent": "bench"}
        if page.get("cookie"):
            headers["Cookie"] = page["cookie"]
        started = time.perf_counter()
        try:
            self.conn.request("GET", page["path"], headers=headers)
            response = self.conn.getresponse()
            body = response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                self.reconnect()
        except (OSError, http.client.HTTPException):
            self.reconnect()
            return 0, time.perf_counter() - started, 0
        return status, time.perf_counter() - started, len(body)

    def reconnect(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)


def summarize(samples: list[tuple[int, float, int]], seconds: float) -> dict:
    latencies = [s[1] * 1000 for s in samples]
    errors = [s[0] for s in samples if s[0] != 200]
    return {
        "requests": len(samples),
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
        "median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "throughput_rps": round(len(samples) / seconds, 1) if seconds else None,
        "bytes_median": int(statistics.median([s[2] for s in samples])) if samples else 0,
    }


def run_page(
    page: dict, ports: list[int], duration: float, concurrency: int, reference: dict | None = None
) -> dict:
    """Load one page. With a `reference` page, each connection alternates the two, so both see
    the same background load: their ratio holds on a busy machine."""
    clients = [Client(ports[i % len(ports)]) for i in range(concurrency)]
    for client in clients:  # warm up: open connections, fill caches, check the page answers
        for _ in range(2):
            client.get(page)
            if reference is not None:  # and the reference's, measured on the same connections
                client.get(reference)
    samples: list[tuple[int, float, int]] = []
    reference_samples: list[tuple[int, float, int]] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def worker(client: Client) -> None:
        local, local_reference = [], []
        while time.perf_counter() < deadline:
            local.append(client.get(page))
            if reference is not None:
                local_reference.append(client.get(reference))
        with lock:
            samples.extend(local)
            reference_samples.extend(local_reference)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for client in clients:
        client.conn.close()
    result = {"name": page["name"], "path": page["path"], **summarize(samples, elapsed)}
    if reference is not None:
        result["reference"] = summarize(reference_samples, elapsed)
    return result


def run_soak(
    pages: list[dict],
    ports: list[int],
    duration: float,
    users: int,
    think: float,
    sessions: list[dict] | None = None,
) -> dict:
    """`sessions`: one {role: cookie} per user, so users do not share (and lock) a session row."""
    samples: list[tuple[int, float, int]] = []
    per_page: dict[str, list] = {p["name"]: [] for p in pages}
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def user(index: int) -> None:
        rnd = random.Random(index)  # noqa: S311 - load pattern, not secrets
        client = Client(ports[index % len(ports)])
        local = []
        while time.perf_counter() < deadline:
            page = rnd.choice(pages)
            if sessions and page.get("role"):
                page = {**page, "cookie": sessions[index % len(sessions)][page["role"]]}
            result = client.get(page)
            local.append((page["name"], result))
            if think:
                time.sleep(rnd.uniform(0, 2 * think))
        client.conn.close()
        with lock:
            for name, result in local:
                samples.append(result)
                per_page[name].append(result)

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "think_seconds": think,
        **summarize(samples, elapsed),
        "pages": {name: summarize(s, elapsed) for name, s in per_page.items()},
    }


def main() -> None:
    plan = json.load(sys.stdin)
    ports = plan["ports"]
    if plan["mode"] == "pages":
        results = [
            run_page(page, ports, plan["duration"], plan["concurrency"]) for page in plan["pages"]
        ]
        json.dump({"pages": results}, sys.stdout)
    elif plan["mode"] == "paired":
        reference, *pages = plan["pages"]
        results = [
            run_page(page, ports, plan["duration"], plan["concurrency"], reference)
            for page in pages
        ]
        json.dump({"paired": results}, sys.stdout)
    else:
        json.dump(
            {
                "soak": run_soak(
                    plan["pages"],
                    ports,
                    plan["duration"],
                    plan["users"],
                    plan.get("think", 0),
                    plan.get("sessions"),
                )
            },
            sys.stdout,
        )


if __name__ == "__main__":
    main()
