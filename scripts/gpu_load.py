#!/usr/bin/env python3
"""A GPU load with known phases, for scripts/validate-nvidia.sh: bf16 matrix products on one GPU, busy for
--busy seconds, idle for --idle seconds, repeated until --duration has passed. Prints one line per phase change
with the wall-clock time, so the validation report can be read against it.

Without PyTorch or without a CUDA device it says so and exits 0: the validation then runs without load.

    python3 scripts/gpu_load.py --busy 20 --idle 5 --duration 60 --device 0
"""
import argparse
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=float, default=20.0, help="seconds of matrix products per cycle")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of idle per cycle")
    parser.add_argument("--duration", type=float, default=60.0, help="total seconds")
    parser.add_argument("--device", type=int, default=0, help="CUDA device index")
    parser.add_argument("--size", type=int, default=8192, help="matrix size")
    args = parser.parse_args()

    try:
        import torch
    except ImportError:
        print("gpu_load: PyTorch is not installed; no GPU load is generated", flush=True)
        return 0
    if not torch.cuda.is_available() or args.device >= torch.cuda.device_count():
        print("gpu_load: no CUDA device %d visible to PyTorch; no GPU load is generated" % args.device, flush=True)
        return 0

    device = torch.device("cuda", args.device)
    a = torch.randn(args.size, args.size, device=device, dtype=torch.bfloat16)
    b = torch.randn(args.size, args.size, device=device, dtype=torch.bfloat16)
    torch.cuda.synchronize(device)
    print("gpu_load: %s, %dx%d bf16 matmul, %.0f s busy / %.0f s idle for %.0f s"
          % (torch.cuda.get_device_name(device), args.size, args.size, args.busy, args.idle, args.duration),
          flush=True)
    end = time.time() + args.duration
    while time.time() < end:
        busy_until = min(end, time.time() + args.busy)
        print("gpu_load: %.3f busy" % time.time(), flush=True)
        while time.time() < busy_until:
            for _ in range(8):
                a = torch.matmul(a, b)
                a = a / a.abs().amax()  # keep the values finite
            torch.cuda.synchronize(device)
        if time.time() >= end:
            break
        print("gpu_load: %.3f idle" % time.time(), flush=True)
        time.sleep(max(0.0, min(args.idle, end - time.time())))
    print("gpu_load: %.3f done" % time.time(), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
