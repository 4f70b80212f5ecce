"""PostgreSQL's `hashint8extended(value, seed)` in Python, bit for bit.

The re-verification draw (DOMAIN I4) keys every verification by this seeded hash of its id, computed inside
PostgreSQL so a million-row year is keyed in a fraction of a second. The same function here lets the embedded
SQLite demo draw identically and lets an auditor recompute any draw from its stored seed without the database.
It is Bob Jenkins' lookup3 mix and final steps as PostgreSQL applies them to a 64-bit integer.
"""

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & MASK32


def _mix(a: int, b: int, c: int) -> tuple[int, int, int]:
    a = (a - c) & MASK32
    a ^= _rot(c, 4)
    c = (c + b) & MASK32  # noqa: E702
    b = (b - a) & MASK32
    b ^= _rot(a, 6)
    a = (a + c) & MASK32  # noqa: E702
    c = (c - b) & MASK32
    c ^= _rot(b, 8)
    b = (b + a) & MASK32  # noqa: E702
    a = (a - c) & MASK32
    a ^= _rot(c, 16)
    c = (c + b) & MASK32  # noqa: E702
    b = (b - a) & MASK32
    b ^= _rot(a, 19)
    a = (a + c) & MASK32  # noqa: E702
    c = (c - b) & MASK32
    c ^= _rot(b, 4)
    b = (b + a) & MASK32  # noqa: E702
    return a, b, c


def _final(a: int, b: int, c: int) -> tuple[int, int, int]:
    c ^= b
    c = (c - _rot(b, 14)) & MASK32  # noqa: E702
    a ^= c
    a = (a - _rot(c, 11)) & MASK32  # noqa: E702
    b ^= a
    b = (b - _rot(a, 25)) & MASK32  # noqa: E702
    c ^= b
    c = (c - _rot(b, 16)) & MASK32  # noqa: E702
    a ^= c
    a = (a - _rot(c, 4)) & MASK32  # noqa: E702
    b ^= a
    b = (b - _rot(a, 14)) & MASK32  # noqa: E702
    c ^= b
    c = (c - _rot(b, 24)) & MASK32  # noqa: E702
    return a, b, c


def _hash_uint32_extended(key: int, seed: int) -> int:
    a = b = c = (0x9E3779B9 + 4 + 3923095) & MASK32
    seed &= MASK64
    if seed:
        a = (a + (seed >> 32)) & MASK32
        b = (b + (seed & MASK32)) & MASK32
        a, b, c = _mix(a, b, c)
    a = (a + key) & MASK32
    a, b, c = _final(a, b, c)
    result = (b << 32) | c
    return result - (1 << 64) if result >= 1 << 63 else result


def hashint8extended(value: int, seed: int) -> int:
    """Signed 64-bit result, exactly as `SELECT hashint8extended(value, seed)` returns it."""
    unsigned = value & MASK64
    low, high = unsigned & MASK32, unsigned >> 32
    low ^= high if value >= 0 else (~high & MASK32)
    return _hash_uint32_extended(low, seed)
