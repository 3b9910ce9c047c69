#!/usr/bin/env python3
"""
Writes hostile .sear files into the directory given: small files whose
chunks decompress to far more than a recording of their size could hold.
Each is kept in tests/fuzz/corpus/searfile and read by
tests/integration/hostile-inputs.sh, which checks that sear refuses it
within seconds and a few hundred MB. Needs the zstd command.

    tests/fuzz/craft/sear-bombs.py tests/fuzz/corpus/searfile
"""
import os
import random
import struct
import subprocess
import sys

MAGIC = b"SEAR\0REC"
META = b"sear=0.1.0\ncommand=bomb\nevents=cpu-clock\ncall_graph=fp\n"


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def record(kind, body):
    return bytes([kind]) + varint(len(body)) + body


def chunk(raw):
    comp = subprocess.run(["zstd", "-19", "--long=27", "-q", "-c", "--check"], input=raw,
                          capture_output=True, check=True).stdout
    return b"SCHK" + struct.pack("<II", len(comp), len(raw)) + comp


def header():
    return MAGIC + struct.pack("<II", 1, len(META)) + META


def strings(n, s=b""):
    return record(1, varint(n) + (varint(len(s)) + s) * n)


def stacks(n, frames):
    one = varint(len(frames)) + b"".join(varint(f) + b"\0" for f in frames)
    return record(2, varint(n) + one * n)


def samples(rows):
    body = bytearray(varint(len(rows)) + varint(1000))
    for pid, comm, stack in rows:
        body += varint(1000) + varint(pid) + varint(pid) + b"\0\0" + varint(comm)
        body += varint(stack) + b"\1"
    return record(4, bytes(body))


def tasks(n):
    return record(3, varint(n) + (varint(1) + b"\0") * n)


def padding(n):
    """An unknown record type, which readers skip, of n random bytes: they pay for the rest."""
    return record(99, random.Random(n).randbytes(n))


def main(out):
    os.makedirs(out, exist_ok=True)
    files = {}
    # The 8 KB file: one chunk of empty strings, 256 MiB of them.
    n = (256 << 20) - 16
    files["bomb-strings.sear"] = header() + chunk(strings(n - len(varint(n)) - 5))
    # Four such chunks: the 32 KB file that took 4.4 GB and a minute.
    files["bomb-strings4.sear"] = header() + chunk(strings(n - 16)) * 4
    # Empty stacks after one string: 12 bytes of tables per byte.
    files["bomb-stacks.sear"] = header() + chunk(strings(1) + stacks((256 << 20) - 64, []))
    # Stacks of 4096 frames, the most the format allows.
    deep = list([0] * 4096)
    k = ((256 << 20) - 64) // (len(stacks(1, deep)) - 3)
    files["bomb-frames.sear"] = header() + chunk(strings(1) + stacks(k, deep))
    # Samples that pass every table cap: hundreds of thread names on one deep stack, each
    # its own root in the graph: 1.6 million nodes from a few KB.
    names = record(1, varint(400) + b"".join(varint(4) + b"t%03d" % i for i in range(400)))
    rows = [(1, i, 0) for i in range(400)]
    files["bomb-keys.sear"] = header() + chunk(names + stacks(1, deep) + samples(rows))
    # Paid for: 64 KiB that do not compress let the chunk decompress to 65 MiB, under the
    # ratio cap, but each table has its own.
    pay = padding(64 << 10)
    files["bomb-strings-paid.sear"] = header() + chunk(pay + strings(4 << 20))
    files["bomb-stacks-paid.sear"] = header() + chunk(pay + strings(1) + stacks(4 << 20, []))
    files["bomb-frames-paid.sear"] = header() + chunk(padding(80 << 10) + strings(1) +
                                                      stacks(8192, deep))
    files["bomb-tasks-paid.sear"] = header() + chunk(pay + tasks(4 << 20))
    # Chunks of 1 MiB each from a few bytes: the first fits the floor, the next does not.
    files["bomb-chunks.sear"] = header() + chunk(record(98, bytes((1 << 20) - 8))) * 64
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


main(sys.argv[1] if len(sys.argv) > 1 else ".")
