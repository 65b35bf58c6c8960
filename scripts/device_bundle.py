#!/usr/bin/env python3
"""Packs the exporter and the JMH benchmark classpath small enough for the GPU machine's 64 MiB carry limit, and
unpacks them there (python3 only, no Java tools needed). Used by scripts/device-pack.sh and scripts/device-run.sh.

    device_bundle.py pack --jar launcher/target/acceltel.jar --bench JAR... --out .device/app.tar.xz
    device_bundle.py unpack --bundle .device/app.tar.xz --to /tmp/acceltel-app

The launcher's fat jar is rewritten with its entries STORED (uncompressed) and without native libraries for
platforms other than linux-x86_64, then the whole bundle is xz-compressed: xz over the raw classes is about three
times smaller than the jar's per-entry deflate. The stored jar runs as it is (`java -jar acceltel.jar`). The
benchmark is run from a classpath: acceltel.jar (which holds the exporter and JNA) plus the bench module's jar and
JMH's jars, instead of the shaded benchmarks.jar, which would duplicate every class.
"""
import argparse
import os
import sys
import tarfile
import tempfile
import zipfile


def other_platform_native(name):
    n = name.lower()
    native = n.endswith((".so", ".dll", ".dylib", ".jnilib", ".a")) or "/native/" in n
    return native and not ("linux" in n and ("x86-64" in n or "x86_64" in n or "amd64" in n))


def stored_copy(src, dst):
    dropped = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        entries = sorted(zin.infolist(), key=lambda i: i.filename != "META-INF/MANIFEST.MF")
        for info in entries:
            if other_platform_native(info.filename):
                dropped += 1
                continue
            zout.writestr(info, zin.read(info.filename), compress_type=zipfile.ZIP_STORED)
    return dropped


def pack(args):
    with tempfile.TemporaryDirectory() as tmp:
        jar = os.path.join(tmp, "acceltel.jar")
        dropped = stored_copy(args.jar, jar)
        with tarfile.open(args.out, "w:xz", preset=6) as tar:
            tar.add(jar, arcname="acceltel.jar")
            for bench in args.bench:
                tar.add(bench, arcname="bench/" + os.path.basename(bench))
    print("%s: %.1f MiB (acceltel.jar stored, %d other-platform native files left out; %d bench jars)"
          % (args.out, os.path.getsize(args.out) / 1048576.0, dropped, len(args.bench)))


def unpack(args):
    os.makedirs(args.to, exist_ok=True)
    with tarfile.open(args.bundle, "r:xz") as tar:
        tar.extractall(args.to)
    print("unpacked %s into %s" % (args.bundle, args.to))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--jar", required=True)
    p.add_argument("--bench", nargs="*", default=[])
    p.add_argument("--out", required=True)
    u = sub.add_parser("unpack")
    u.add_argument("--bundle", required=True)
    u.add_argument("--to", required=True)
    args = parser.parse_args()
    (pack if args.command == "pack" else unpack)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
