"""Render docs/admin-sign-in-path.png: the admin sign-in path through the PAW and the CA baseline.

Standard library only (no Pillow or Graphviz here): a tiny 5x7 bitmap font, boxes, arrows, and a
hand-written PNG encoder. Run: python docs/diagrams/admin_sign_in.py
"""

from __future__ import annotations

import os
import struct
import zlib

# 5x7 glyphs, one string of 7 rows x 5 columns per character ('#' = ink).
_FONT_ROWS = {
    "A": " ### #   ##   #######   ##   ##   #",
    "B": "#### #   ##   ##### #   ##   ##### ",
    "C": " ### #   ##    #    #    #   # ### ",
    "D": "#### #   ##   ##   ##   ##   ##### ",
    "E": "######    #    #### #    #    #####",
    "F": "######    #    #### #    #    #    ",
    "G": " ### #   ##    # ####   ##   # ####",
    "H": "#   ##   ##   #######   ##   ##   #",
    "I": " ###   #    #    #    #    #   ### ",
    "J": "  ###   #    #    # #  # #  #  ##  ",
    "K": "#   ##  # # #  ##   # #  #  # #   #",
    "L": "#    #    #    #    #    #    #####",
    "M": "#   ### ### # ##   ##   ##   ##   #",
    "N": "#   ###  ## # ##  ###   ##   ##   #",
    "O": " ### #   ##   ##   ##   ##   # ### ",
    "P": "#### #   ##   ##### #    #    #    ",
    "Q": " ### #   ##   ##   ## # ##  #  ## #",
    "R": "#### #   ##   ##### # #  #  # #   #",
    "S": " #####    #     ###     #    ##### ",
    "T": "#####  #    #    #    #    #    #  ",
    "U": "#   ##   ##   ##   ##   ##   # ### ",
    "V": "#   ##   ##   ##   ##   # # #   #  ",
    "W": "#   ##   ##   ## # ## # ### ###   #",
    "X": "#   ##   # # #   #   # # #   ##   #",
    "Y": "#   ##   # # #   #    #    #    #  ",
    "Z": "#####    #   #   #   #   #    #####",
    "0": " ### #   ##  ### # ###  ##   # ### ",
    "1": "  #   ##    #    #    #    #   ### ",
    "2": " ### #   #    #   #   #   #   #####",
    "3": "#####   #   #     #     ##   # ### ",
    "4": "   #   ##  # # #  # #####   #    # ",
    "5": "######    ####     #    ##   # ### ",
    "6": "  ##  #   #    #### #   ##   # ### ",
    "7": "#####    #   #   #   #    #    #   ",
    "8": " ### #   ##   # ### #   ##   # ### ",
    "9": " ### #   ##   # ####    #   #  ##  ",
    " ": " " * 35,
    "-": "          #####          ",
    ".": " " * 25 + "  ##   ## ",
    ":": "      ##   ##        ##   ##       ",
    ",": " " * 25 + "  ##   #  ",
    "/": "    #    #   #   #   #   #    #    ",
    "(": "   #   #   #    #    #     #     # ",
    ")": " #     #     #    #    #   #   #   ",
    "+": "       #    #  #####  #    #       ",
    ">": " #     #     #     #   #   #   #   ",
    "'": "  #    #   #                       ",
    "&": " ##  #  # # #   #   # # ##  #  ## #",
    "=": "          #####     #####          ",
    ";": "      ##   ##        ##   ##   #   ",
    "<": "   #   #   #   #     #     #     # ",
    "*": "       # # # ### ##### ### # # #   ",
    "!": "  #    #    #    #    #         #  ",
}
FONT = {c: [rows[i * 5 : (i + 1) * 5].ljust(5) for i in range(7)] for c, rows in _FONT_ROWS.items()}
SCALE = 2
CHAR_W, CHAR_H = 6 * SCALE, 9 * SCALE

WHITE, INK, GREY = (255, 255, 255), (33, 37, 41), (108, 117, 125)
BLUE, GREEN, RED, AMBER = (222, 235, 255), (220, 242, 224), (251, 222, 222), (255, 240, 205)


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.w, self.h = width, height
        self.px = [bytearray(WHITE * width) for _ in range(height)]

    def dot(self, x: int, y: int, colour) -> None:
        if 0 <= x < self.w and 0 <= y < self.h:
            self.px[y][3 * x : 3 * x + 3] = bytes(colour)

    def rect(self, x, y, w, h, fill, border=INK, thick=2) -> None:
        for yy in range(y, y + h):
            for xx in range(x, x + w):
                edge = xx < x + thick or xx >= x + w - thick or yy < y + thick or yy >= y + h - thick
                self.dot(xx, yy, border if edge else fill)

    def line(self, x0, y0, x1, y1, colour=INK, thick=2) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(steps + 1):
            x, y = x0 + (x1 - x0) * i // steps, y0 + (y1 - y0) * i // steps
            for dx in range(thick):
                for dy in range(thick):
                    self.dot(x + dx, y + dy, colour)

    def arrow(self, x0, y0, x1, y1, colour=INK) -> None:
        """Horizontal or vertical arrow ending at (x1, y1)."""
        self.line(x0, y0, x1, y1, colour)
        for i in range(12):
            if y0 == y1:
                d = 1 if x1 > x0 else -1
                self.line(x1 - d * i, y1 - i // 2, x1 - d * i, y1 + i // 2, colour, 1)
            else:
                d = 1 if y1 > y0 else -1
                self.line(x1 - i // 2, y1 - d * i, x1 + i // 2, y1 - d * i, colour, 1)

    def text(self, x, y, message: str, colour=INK) -> None:
        for n, ch in enumerate(message.upper()):
            glyph = FONT.get(ch, FONT["*"])
            for row, bits in enumerate(glyph):
                for col, bit in enumerate(bits):
                    if bit == "#":
                        for dx in range(SCALE):
                            for dy in range(SCALE):
                                self.dot(x + n * CHAR_W + col * SCALE + dx, y + row * SCALE + dy, colour)

    def box(self, x, y, w, title: str, lines: list[str], fill) -> int:
        """A titled box sized to its text; returns its height."""
        h = (len(lines) + 1) * CHAR_H + 28
        self.rect(x, y, w, h, fill)
        self.text(x + 12, y + 12, title)
        self.line(x + 12, y + 12 + CHAR_H, x + w - 12, y + 12 + CHAR_H, GREY, 1)
        for i, line in enumerate(lines):
            self.text(x + 12, y + 20 + (i + 1) * CHAR_H, line, GREY if line.startswith("(") else INK)
        return h

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.px)
        chunk = lambda kind, data: (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )
        header = struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
        )


def draw() -> Canvas:
    c = Canvas(1640, 600)
    c.text(40, 30, "Admin sign-in path: PAW + phishing-resistant MFA + just-in-time roles")
    c.text(40, 58, "(PUM-CA policies ship report-only; enforce after reading the sign-in logs)", GREY)
    w, top = 360, 120
    xs = [40, 440, 840, 1240]
    boxes = [
        (
            "1 Admin's own device",
            [
                "Intune compliant",
                "Privileged profile",
                "FIDO2 key / WHfB",
                "",
                "(clean source: the PAW",
                "(is as safe as this)",
            ],
            BLUE,
        ),
        (
            "2 Entra sign-in to AVD",
            [
                "CA01 phishing-resistant",
                "CA03 compliant device",
                "  AND phishing-resistant",
                "CA04 re-auth 4 h,",
                "  no persistent browser",
                "CA05/06 no legacy, no",
                "  device-code flow",
            ],
            AMBER,
        ),
        (
            "3 PAW session host",
            [
                "AVD personal, direct",
                "Entra-joined + Intune",
                "Trusted Launch, vTPM",
                "No public IP, NSG",
                "No clipboard/drive/USB",
                "Private Link to AVD",
                "Logs: Log Analytics",
            ],
            GREEN,
        ),
        (
            "4 PIM activation",
            [
                "Eligible, time-bound",
                "Justification; approval",
                "for critical roles",
                "MFA, or context c1",
                "c1 = PAW + PR MFA",
                "(c1 policy: portal)",
            ],
            AMBER,
        ),
    ]
    heights = [c.box(x, top, w, t, lines, fill) for x, (t, lines, fill) in zip(xs, boxes)]
    mid = top + 60
    for i in range(3):
        c.arrow(xs[i] + w, mid, xs[i + 1] - 4, mid)
    portal_y = top + max(heights) + 90
    c.arrow(xs[3] + w // 2, top + heights[3], xs[3] + w // 2, portal_y - 4)
    ph = c.box(
        1140,
        portal_y,
        460,
        "5 Admin portals, Azure management",
        [
            "MicrosoftAdminPortals + 797f4846...",
            "CA02: only from PAW hosts",
            "  (device filter: paw-N,",
            "  Entra-joined, compliant)",
            "Role active for <= 8 h (GA 1 h)",
        ],
        GREEN,
    )
    c.box(
        440,
        portal_y,
        560,
        "Any other device -> admin portal",
        ["BLOCKED by CA02 (device filter)", "Legacy auth, device code: BLOCKED", "Report-only: logged, not enforced"],
        RED,
    )
    c.arrow(1000, portal_y + 50, 1136, portal_y + 50, (200, 35, 51))
    c.text(1010, portal_y + 20, "X", (200, 35, 51))
    c.box(
        40,
        portal_y,
        360,
        "Break-glass (2 accounts)",
        [
            "Excluded from CA01-06",
            "CA07: phishing-resistant",
            "  FIDO2 keys in a safe",
            "Tested quarterly;",
            "every sign-in alerts",
        ],
        BLUE,
    )
    c.text(
        40,
        portal_y + ph + 40,
        "Not in the provider (portal): auth context c1 + its policy, CAE strict enforcement, token protection.",
        GREY,
    )
    return c


def main() -> str:
    out = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "admin-sign-in-path.png")
    with open(out, "wb") as handle:
        handle.write(draw().png())
    return out


if __name__ == "__main__":
    print(main())
