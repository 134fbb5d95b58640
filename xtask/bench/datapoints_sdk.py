#!/usr/bin/env python3
"""Time Cognite's Python SDK reading raw datapoints from a local server.

Baseline for comparing our Rust datapoints reader against the official SDK on
identical data. Prints one JSON line to stdout; diagnostics go to stderr.

Usage:
    python datapoints_sdk.py --base-url http://127.0.0.1:PORT --project bench \
        --series N --start MS --end MS --workers W [--format protobuf|json]

Needs: pip install cognite-sdk numpy protobuf   (tested with cognite-sdk 7.94.2)
"""

import argparse
import json
import resource
import sys
import time
import warnings


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base-url", required=True)
    p.add_argument("--project", default="bench")
    p.add_argument("--series", type=int, required=True, help="reads ids 1..N")
    p.add_argument("--start", type=int, required=True, help="inclusive, ms since epoch")
    p.add_argument("--end", type=int, required=True, help="exclusive, ms since epoch")
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--format", choices=("protobuf", "json"), default="protobuf")
    a = p.parse_args()
    if a.series < 1 or a.workers < 1 or a.end <= a.start:
        p.error("need --series >= 1, --workers >= 1 and --end > --start")
    return a


def fail(msg):
    print(f"datapoints_sdk.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    args = parse_args()
    try:
        import numpy as np
        from cognite.client import ClientConfig, CogniteClient, __version__, global_config
        from cognite.client.credentials import Token
    except ImportError as e:
        fail(f"{e}; install with: pip install cognite-sdk numpy protobuf")

    # The SDK always sends 'Accept: application/protobuf' for datapoint reads and
    # parses the body as protobuf; there is no switch for JSON. Measuring JSON
    # would mean patching SDK internals, which would no longer be "the SDK".
    if args.format == "json":
        print("datapoints_sdk.py: note: the SDK cannot be made to read datapoints as JSON; "
              "using protobuf", file=sys.stderr)

    # Must be set before the client exists: the version check would otherwise
    # hit pypi.org, and max_workers sizes a process-wide pool created on first
    # use. (ClientConfig(max_workers=...) still works but is deprecated.)
    global_config.disable_pypi_version_check = True
    # Request bodies are small JSON; gzip only costs the SDK CPU on loopback.
    global_config.disable_gzip = True
    global_config.max_workers = args.workers
    # A non-cognitedata.com base URL is expected here, not a mistake.
    warnings.filterwarnings("ignore", message="Given base URL may be invalid")

    client = CogniteClient(ClientConfig(
        client_name="bench",
        project=args.project,
        credentials=Token("bench"),
        base_url=args.base_url,
    ))
    ids = list(range(1, args.series + 1))

    # Time only the read itself (not imports or client setup), as the Rust side does.
    t0 = time.perf_counter()
    try:
        result = client.time_series.data.retrieve_arrays(
            id=ids, start=args.start, end=args.end, limit=None)
    except Exception as e:  # any SDK/HTTP error should fail the run, not skew it
        fail(f"retrieve_arrays failed: {type(e).__name__}: {e}")
    seconds = time.perf_counter() - t0

    # A single id comes back as one array rather than a list.
    arrays = [result] if args.series == 1 else list(result)
    if len(arrays) != args.series:
        fail(f"expected {args.series} series, got {len(arrays)}")
    points = 0
    for want_id, arr in zip(ids, arrays):
        if arr.id != want_id:
            fail(f"series order/id mismatch: expected id {want_id}, got {arr.id}")
        ts = arr.timestamp.astype("datetime64[ms]").astype("int64")  # SDK stores ns
        # Overlapping or misplaced sub-range answers from a server show up here.
        if ts.size > 1 and not bool(np.all(np.diff(ts) > 0)):
            fail(f"timestamps of id {want_id} are not strictly increasing")
        if ts.size and (ts[0] < args.start or ts[-1] >= args.end):
            fail(f"timestamps of id {want_id} fall outside [start, end)")
        points += int(ts.size)

    print(json.dumps({
        "sdk_version": __version__,
        "points": points,
        "series": args.series,
        "seconds": round(seconds, 6),
        # ru_maxrss is KiB on Linux.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "format": "protobuf",
    }))


if __name__ == "__main__":
    main()
