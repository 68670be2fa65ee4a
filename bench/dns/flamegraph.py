#!/usr/bin/env python3
"""Folded stacks ("a;b;c 12" per line) -> a static SVG flame graph (root at the bottom).
Usage: flamegraph.py <folded.txt> <out.svg> [title]"""
import sys
from html import escape

def main():
    src, dst = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else src
    root = {"n": 0, "c": {}}
    for line in open(src):
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        n = int(count)
        root["n"] += n
        node = root
        for frame in stack.split(";"):
            node = node["c"].setdefault(frame, {"n": 0, "c": {}})
            node["n"] += n
    width, row = 1200.0, 16
    total = max(root["n"], 1)
    rects, depth_max = [], [0]

    def walk(node, x, depth):
        depth_max[0] = max(depth_max[0], depth)
        for name, child in sorted(node["c"].items()):
            w = child["n"] * width / total
            if w >= 0.3:
                rects.append((x, depth, w, name, child["n"]))
                walk(child, x, depth + 1)
            x += w

    walk(root, 0.0, 0)
    height = (depth_max[0] + 2) * row + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}" font-family="monospace" font-size="11">',
           f'<text x="4" y="16">{escape(title)} ({total} samples; hover for names)</text>']
    for x, depth, w, name, n in rects:
        y = height - (depth + 1) * row
        hue = 20 + (hash(name.split(".")[0]) % 40)
        kernel = name.endswith("_[k]")
        color = f"hsl({200 if kernel else hue},70%,{60 if kernel else 55}%)"
        label = escape(name if len(name) * 6.5 < w else name[: max(0, int(w / 6.5) - 2)] + ".." if w > 20 else "")
        out.append(f'<g><title>{escape(name)} ({n} samples, {100.0 * n / total:.1f}%)</title>'
                   f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 1}" fill="{color}"/>'
                   f'<text x="{x + 2:.1f}" y="{y + 11}">{label}</text></g>')
    out.append("</svg>")
    with open(dst, "w") as f:
        f.write("\n".join(out))

main()
