#!/usr/bin/env python3
"""Cuts the bundled Fashion-MNIST subset out of Debian's dataset-fashion-mnist.

The first TRAIN images of the training set and the first TEST images of the test set are written, unchanged, as
gzipped IDX files with the original names, so any IDX reader (and `modelc train --data`) treats the folder like the
full data set. Run with /usr/bin/python3 from the project root; the output is deterministic.
"""
import gzip
import struct
import sys
from pathlib import Path

SOURCE = Path("/usr/share/datasets/fashion-mnist")
TARGET = Path(__file__).resolve().parent / "fashion-mnist"
TRAIN, TEST = 6000, 1000


def cut(name, count):
    data = gzip.open(SOURCE / name, "rb").read()
    magic, n = struct.unpack(">II", data[:8])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * (dims - 1), data[8:4 + 4 * dims])
    item = 1
    for d in shape:
        item *= d
    header = struct.pack(">II", magic, count) + data[8:4 + 4 * dims]
    body = data[4 + 4 * dims:4 + 4 * dims + count * item]
    assert len(body) == count * item and count <= n
    # mtime=0 keeps the gzip bytes identical from run to run
    with open(TARGET / name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(header + body)


def main():
    TARGET.mkdir(parents=True, exist_ok=True)
    for prefix, count in (("train", TRAIN), ("t10k", TEST)):
        cut(prefix + "-images-idx3-ubyte.gz", count)
        cut(prefix + "-labels-idx1-ubyte.gz", count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
