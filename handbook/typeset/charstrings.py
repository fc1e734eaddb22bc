"""A fast reader of CFF2 charstrings for the common case: outlines whose variation is linear.

Why: drawing the form font (7,445 GB2312 characters) dominates a cold build, and three quarters of
each glyph's time went to fontTools' general charstring interpreter (a method call per token). This
reader runs the bytes in one loop, with blended values as complex numbers (real: default, imaginary:
the delta of the face's one variation region), and gives the same contours as fontTools'
``T2OutlineExtractor`` with that blender; ``tests/test_fonts.py`` compares the two glyph by glyph.
Anything it does not expect (a flex1 comparing blended values, a malformed charstring) raises
:class:`Unsupported`, and the caller falls back to fontTools.
"""
from __future__ import annotations

import struct
from typing import Callable, Sequence


class Unsupported(Exception):
    """This charstring needs fontTools (non-linear variation, or something unexpected)."""


def subroutine_bias(count: int) -> int:
    return 107 if count < 1240 else 1131 if count < 33900 else 32768


def outline(code: bytes, local: Sequence[bytes], global_: Sequence[bytes], regions: Callable[[int], int],
            vsindex: int = 0) -> list:
    """Contours as [start, (pt,) | (c1, c2, pt), ...] with (x, y) points, like ``outlines._outline``."""
    contours: list = []
    stack: list = []
    push = stack.append
    x = y = 0
    state = {"hints": 0, "mask": 0, "vsindex": vsindex, "depth": 0}
    counts: dict[int, int] = {}  # vsindex -> regions
    local_bias, global_bias = subroutine_bias(len(local)), subroutine_bias(len(global_))

    def move(dx, dy):
        nonlocal x, y
        x += dx
        y += dy
        contours.append([(x, y)])

    def line(dx, dy):
        nonlocal x, y
        if not contours:
            raise Unsupported("a line before the first moveto")
        x += dx
        y += dy
        contours[-1].append(((x, y),))

    def curve(dxa, dya, dxb, dyb, dxc, dyc):
        nonlocal x, y
        if not contours:
            raise Unsupported("a curve before the first moveto")
        x1, y1 = x + dxa, y + dya
        x2, y2 = x1 + dxb, y1 + dyb
        x, y = x2 + dxc, y2 + dyc
        contours[-1].append(((x1, y1), (x2, y2), (x, y)))

    def run(code: bytes) -> None:
        state["depth"] += 1
        if state["depth"] > 10:
            raise Unsupported("subroutines nested too deep")
        i, n = 0, len(code)
        while i < n:
            b0 = code[i]
            i += 1
            if b0 >= 32:
                if b0 <= 246:
                    push(b0 - 139)
                elif b0 <= 250:
                    push((b0 - 247) * 256 + code[i] + 108)
                    i += 1
                elif b0 <= 254:
                    push(-(b0 - 251) * 256 - code[i] - 108)
                    i += 1
                else:
                    push(struct.unpack_from(">l", code, i)[0] / 65536)
                    i += 4
                continue
            if b0 == 28:
                push(struct.unpack_from(">h", code, i)[0])
                i += 2
                continue
            if b0 == 10 or b0 == 29:  # callsubr, callgsubr
                subrs, bias = (local, local_bias) if b0 == 10 else (global_, global_bias)
                index = stack.pop()
                if not isinstance(index, int) or not 0 <= index + bias < len(subrs):
                    raise Unsupported("bad subroutine index")
                run(subrs[index + bias])
                continue
            if b0 == 16:  # blend
                count = stack.pop()
                k = counts.get(state["vsindex"])
                if k is None:
                    k = counts[state["vsindex"]] = regions(state["vsindex"])
                if not isinstance(count, int) or len(stack) < count * (k + 1):
                    raise Unsupported("bad blend")
                first = len(stack) - count * (k + 1)
                deltas = stack[first + count:]
                for j in range(count):
                    stack[first + j] += complex(0, deltas[j * k]) if k else 0
                del stack[first + count:]
                continue
            if b0 == 15:  # vsindex
                state["vsindex"] = stack.pop()
                stack.clear()
                continue
            args = stack[:]
            stack.clear()
            if b0 in (1, 3, 18, 23):  # hstem, vstem, hstemhm, vstemhm
                state["hints"] += len(args) // 2
            elif b0 in (19, 20):  # hintmask, cntrmask: the first may carry an implicit vstem
                if not state["mask"]:
                    state["hints"] += len(args) // 2
                    state["mask"] = (state["hints"] + 7) // 8
                elif args:
                    raise Unsupported("operands before a later hintmask")
                i += state["mask"]
            elif b0 == 21:
                move(args[-2], args[-1])
            elif b0 == 22:
                move(args[-1], 0)
            elif b0 == 4:
                move(0, args[-1])
            elif b0 == 5:
                for j in range(0, len(args) - 1, 2):
                    line(args[j], args[j + 1])
            elif b0 in (6, 7):  # hlineto, vlineto: alternating directions
                horizontal = b0 == 6
                for value in args:
                    line(value, 0) if horizontal else line(0, value)
                    horizontal = not horizontal
            elif b0 == 8:
                for j in range(0, len(args) - 5, 6):
                    curve(*args[j:j + 6])
            elif b0 == 24:  # rcurveline
                for j in range(0, len(args) - 7, 6):
                    curve(*args[j:j + 6])
                line(args[-2], args[-1])
            elif b0 == 25:  # rlinecurve
                for j in range(0, len(args) - 6, 2):
                    line(args[j], args[j + 1])
                curve(*args[-6:])
            elif b0 == 26:  # vvcurveto
                dx1, rest = (args[0], args[1:]) if len(args) % 2 else (0, args)
                for j in range(0, len(rest) - 3, 4):
                    curve(dx1, rest[j], rest[j + 1], rest[j + 2], 0, rest[j + 3])
                    dx1 = 0
            elif b0 == 27:  # hhcurveto
                dy1, rest = (args[0], args[1:]) if len(args) % 2 else (0, args)
                for j in range(0, len(rest) - 3, 4):
                    curve(rest[j], dy1, rest[j + 1], rest[j + 2], rest[j + 3], 0)
                    dy1 = 0
            elif b0 in (30, 31):  # vhcurveto, hvcurveto: alternating, an optional last delta
                horizontal = b0 == 31
                j, count = 0, len(args)
                while j + 4 <= count:
                    last = args[j + 4] if count - j == 5 else 0
                    a, b, c, d = args[j:j + 4]
                    if horizontal:
                        curve(a, 0, b, c, last, d)
                    else:
                        curve(0, a, b, c, d, last)
                    horizontal = not horizontal
                    j += 4
            elif b0 == 12:
                b1 = code[i]
                i += 1
                _flex(b1, args, curve)
            elif b0 == 11:  # return (CFF, not CFF2)
                break
            else:
                raise Unsupported(f"operator {b0}")
        state["depth"] -= 1

    try:
        run(code)
    except (IndexError, TypeError, ValueError, struct.error) as exc:  # a malformed charstring
        raise Unsupported(str(exc)) from None
    return contours


def _flex(op: int, args: list, curve) -> None:
    if op == 35:  # flex
        curve(*args[0:6])
        curve(*args[6:12])
    elif op == 34:  # hflex
        dx1, dx2, dy2, dx3, dx4, dx5, dx6 = args[:7]
        curve(dx1, 0, dx2, dy2, dx3, 0)
        curve(dx4, 0, dx5, -dy2, dx6, 0)
    elif op == 36:  # hflex1
        dx1, dy1, dx2, dy2, dx3, dx4, dx5, dy5, dx6 = args[:9]
        curve(dx1, dy1, dx2, dy2, dx3, 0)
        curve(dx4, 0, dx5, dy5, dx6, -(dy1 + dy2 + dy5))
    elif op == 37:  # flex1: the last point depends on a comparison, which blended values cannot make
        if any(isinstance(value, complex) for value in args):
            raise Unsupported("flex1 with blended values")
        dx1, dy1, dx2, dy2, dx3, dy3, dx4, dy4, dx5, dy5, d6 = args[:11]
        dx, dy = dx1 + dx2 + dx3 + dx4 + dx5, dy1 + dy2 + dy3 + dy4 + dy5
        dx6, dy6 = (d6, -dy) if abs(dx) > abs(dy) else (-dx, d6)
        curve(dx1, dy1, dx2, dy2, dx3, dy3)
        curve(dx4, dy4, dx5, dy5, dx6, dy6)
    else:
        raise Unsupported(f"operator 12 {op}")
