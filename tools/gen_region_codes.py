#!/usr/bin/env python3
"""Writes src/sanitize/context/regions.rs: every administrative division code
of GB/T 2260 (county level and above) that any revision from 1980 to 2019 has
held, the region part of a Chinese resident identity number (GB 11643-1999)
issued under it.

Input: the revision lists as published by the National Bureau of Statistics
(stats.gov.cn, xzqhdm) and the Ministry of Civil Affairs (mca.gov.cn), as
tab-separated files with the code in the third column (source, revision,
code, name), e.g. the collection at https://github.com/cn/GB2260.

    tools/gen_region_codes.py LIST.tsv... > src/sanitize/context/regions.rs && cargo fmt
"""
import re
import sys

codes = set()
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 3 and re.fullmatch(r"[1-8][0-9]{5}", cols[2]):
                codes.add(int(cols[2]))
# Residence permits of residents of Hong Kong, Macao and Taiwan (2018) use
# 810000, 820000 and 830000.
codes.update([810000, 820000, 830000])
codes = sorted(codes)

out = sys.stdout
out.write("//! The administrative division codes of GB/T 2260 (county level and\n")
out.write("//! above) that any revision from 1980 to 2019 held, and the codes of\n")
out.write("//! the residence permits of Hong Kong, Macao and Taiwan residents\n")
out.write("//! (810000, 820000, 830000): the region part of a Chinese resident\n")
out.write("//! identity number is one of them. Sources: the lists the National\n")
out.write("//! Bureau of Statistics and the Ministry of Civil Affairs publish for\n")
out.write("//! each revision. Written by `tools/gen_region_codes.py`; sorted.\n\n")
out.write(f"/// {len(codes)} codes, sorted.\n")
out.write("pub(super) const REGIONS: &[u32] = &[\n")
for i in range(0, len(codes), 10):
    out.write("    " + ", ".join(f"{c:06}" for c in codes[i:i + 10]) + ",\n")
out.write("];\n")
