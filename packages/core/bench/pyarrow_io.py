"""Reference for bench/io.ts: the same shape of data written and read by pyarrow on this machine.
    /work/venv/bin/python packages/core/bench/pyarrow_io.py [rows]
Prints wall and CPU seconds (process time) like io.ts does. Not run by tests or `npm run bench`."""
import os, sys, tempfile, time
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
LEN = 512
rng = np.random.default_rng(12345)
ids = np.floor(150000 * rng.random(ROWS * LEN) ** 3).astype(np.int32)  # same Zipf-like shape as io.ts
offsets = np.arange(0, ROWS * LEN + 1, LEN, dtype=np.int32)
table = pa.table({"id": [f"r{i}" for i in range(ROWS)], "input_ids": pa.ListArray.from_arrays(offsets, ids)})

def timed(label, fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    print(f"  {label} {time.perf_counter() - w:.2f} s wall ({time.process_time() - c:.2f} s cpu)")
    return out

with tempfile.TemporaryDirectory() as d:
    for comp in ["snappy", "zstd"]:
        path = os.path.join(d, f"{comp}.parquet")
        print(f"pyarrow {pa.__version__} input_ids only: {ROWS} rows x {LEN} ids, {comp} (pyarrow defaults otherwise)")
        timed("write", lambda: pq.write_table(table, path, compression=comp))
        print(f"  {os.path.getsize(path) / 1e6:.1f} MB on disk")
        timed("read ", lambda: pq.read_table(path))
