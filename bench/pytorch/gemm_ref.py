#!/usr/bin/python3
"""sgemm throughput of PyTorch's BLAS (Debian's OpenBLAS 0.3.21 here) per CPU second of the calling thread, for the
shapes doctor measures in ND4J: 1024^3 and MobileBERT's 128 tokens x 512 -> 128 (x W^T). One thread
(run with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1). Thread CPU time, so the figure stays comparable on a loaded
machine: docs/speed.md "BLAS variants"."""
import time
import torch

torch.set_num_threads(1)
for name, (m, k, n), reps in [("sgemm 1024^3", (1024, 1024, 1024), 8), ("MobileBERT-shape gemm 128x512x128 W^T", (128, 512, 128), 100)]:
    a, b = torch.rand(m, k), torch.rand(n, k)
    for _ in range(3):
        torch.mm(a, b.t())
    best = float("inf")
    for _ in range(5):
        t0 = time.thread_time()
        for _ in range(reps):
            torch.mm(a, b.t())
        best = min(best, time.thread_time() - t0)
    print("pytorch %s: %.1f GFLOP/s per CPU s" % (name, 2.0 * m * k * n * reps / best / 1e9))
