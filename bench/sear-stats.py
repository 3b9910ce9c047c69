#!/usr/bin/env python3
"""
What .sear files honestly hold, per compressed byte: how much their chunks
decompress, and how many strings, stacks, frames and samples they add. The
reader's caps (lib/searfile.c) and the loader's (pipeline/load.c) are set
from these numbers on real recordings (docs/HARDENING.md). Needs zstd.

    bench/sear-stats.py FILE.sear...
"""
import struct, subprocess, sys

def varint(b, i):
    v = s = 0
    while True:
        x = b[i]; i += 1
        v |= (x & 0x7f) << s; s += 7
        if not x & 0x80: return v, i

for path in sys.argv[1:]:
    d = open(path, 'rb').read()
    n = struct.unpack_from('<I', d, 12)[0]
    off = 16 + n
    worst = 0; tot_c = tot_u = 0; ns = nst = nfr = nsa = 0; maxchunk=(0,0)
    while off + 12 <= len(d) and d[off:off+4] == b'SCHK':
        c, u = struct.unpack_from('<II', d, off + 4)
        raw = subprocess.run(['zstd', '-dc'], input=d[off+12:off+12+c], capture_output=True).stdout
        assert len(raw) == u
        worst = max(worst, u / c); tot_c += c + 12; tot_u += u
        i = 0
        while i < len(raw):
            t = raw[i]; i += 1
            ln, i = varint(raw, i)
            cnt, _ = varint(raw, i)
            if t == 1: ns += cnt
            elif t == 2:
                nst += cnt; j = i; k, j = varint(raw, j)
                for _ in range(k):
                    f, j = varint(raw, j); nfr += f
                    for _ in range(f):
                        _, j = varint(raw, j); j += 1
            elif t == 4: nsa += cnt
            i += ln
        off += 12 + c
    print(f"{path}: {len(d)} B, chunks {tot_c} B -> {tot_u} B raw (overall {tot_u/max(tot_c,1):.1f}x, worst chunk {worst:.1f}x); "
          f"strings {ns} ({ns/tot_c:.3f}/B), stacks {nst} ({nst/tot_c:.3f}/B), frames {nfr} ({nfr/tot_c:.3f}/B), samples {nsa} ({nsa/tot_c:.3f}/B)")
