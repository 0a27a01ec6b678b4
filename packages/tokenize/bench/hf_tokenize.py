"""Python `tokenizers` reference for `npm run bench -- tokenize`: the same tokenizer.json and the same
documents as the bench, encoded on one thread, with ids and offsets read back into Python (what a
Python data pipeline reads per example). Usage: hf_tokenize.py TOKENIZER_JSON DOCS_JSON REPEATS.
Prints one JSON line: per mode, tokens, and the median tokens per second of wall time and per
CPU-second of this process (time.process_time: all its threads). Never run by tests."""
import os

# One thread: set before tokenizers loads, so its rayon pool has one worker and encode_batch
# does not fan out (the bench compares per core).
os.environ["RAYON_RS_NUM_CPUS"] = "1"
os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import json, sys, time
import tokenizers
from tokenizers import Tokenizer

tok_path, docs_path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
tok = Tokenizer.from_file(tok_path)
with open(docs_path, encoding="utf-8") as f:
    docs = json.load(f)


def one_at_a_time():
    n = 0
    for d in docs:
        e = tok.encode(d, add_special_tokens=False)
        ids, offsets = e.ids, e.offsets
        n += len(ids)
    return n


def batch():
    n = 0
    for i in range(0, len(docs), 64):
        for e in tok.encode_batch(docs[i : i + 64], add_special_tokens=False):
            ids, offsets = e.ids, e.offsets
            n += len(ids)
    return n


def timed(run):
    wall, cpu, tokens = [], [], 0
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        tokens = run()
        w, c = time.perf_counter() - w0, time.process_time() - c0
        wall.append(tokens / w)
        cpu.append(tokens / c)
    med = lambda xs: sorted(xs)[len(xs) // 2]
    return {"tokens": tokens, "per_s_wall": med(wall), "per_cpu_s": med(cpu), "cpu_s": tokens / med(cpu)}


tok.encode(docs[0])  # warm-up
print(json.dumps({
    "version": tokenizers.__version__,
    "python": sys.version.split()[0],
    "encode": timed(one_at_a_time),
    "encode_batch": timed(batch),
}))
