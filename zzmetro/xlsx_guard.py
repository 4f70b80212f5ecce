"""The safety scan every uploaded .xlsx passes before python-calamine parses it (DOMAIN G4).

The scan reads exactly what the parser will read, resolved the way the parser resolves it (calamine 0.37:
`_rels/.rels` officeDocument -> `<dir>/workbook.xml` first `<sheet>` -> its r:id in `<dir>/_rels/workbook.xml.rels`
-> Target, absolute when it starts with "/", else relative to <dir>; member names compared ASCII-case-
insensitively). Anything the two could disagree on is refused rather than guessed: duplicate or non-ASCII member
names, several officeDocument relationships or several ids for one sheet, character references in the
relationship files, zip comments and multi-disk or zip64 directories, and the parts calamine would fall back to
(.xlsb, .ods) when the .xlsx reading fails.

Every parsed part is streamed once with counters and never materialised: the sheet by a regex fast path that
holds for the files Excel, WPS, LibreOffice and openpyxl write (each `<c>` tag with its `r=` first), and by an
exact pyexpat pass that replays calamine's row/column bookkeeping for anything else (cells without `r=`, namespace
prefixes, comments). Both bound what the parser can allocate: no valued cell beyond the template's columns or the
row limit, at most two cell tags per template cell (calamine keeps one entry per tag, duplicates included), no
XML token or cell content longer than a few hundred KB, and no DOCTYPE anywhere.
"""

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pyexpat import ExpatError, ParserCreate

MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_MEMBERS = 1000
SMALL_PART_BYTES = {"rels": 256 * 1024, "workbook": 4 * 1024 * 1024, "styles": 8 * 1024 * 1024}
TOKEN_BLOCK = 256 * 1024  # every block this long holds a "<": no text run or tag reaches twice this
CELL_BLOCK = 256 * 1024  # inside sheetData every block this long holds a cell tag: a cell stays under twice this
PARSED_BYTES_PER_CELL = 256  # sheet + shared strings, per template cell (Excel writes about 40, openpyxl about 75)
CHUNK = 4 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

NOT_XLSX = "上传的文件不是Excel工作簿（.xlsx）。请使用下载的模板填写后上传，不要只修改文件扩展名。"
TAMPERED = "Excel文件已损坏或经过篡改（压缩数据与文件目录不符），已拒绝处理。"
BOMB = "Excel文件解压后过大（疑似压缩炸弹），已拒绝处理。请只保留需要导入的数据。"
ODD = "Excel文件的内部结构异常（{}），已拒绝处理。请在Excel中打开后另存为“Excel工作簿（.xlsx）”再上传。"


class SpreadsheetError(Exception):
    """A problem with the whole file; nothing in it is used."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def odd(detail: str) -> SpreadsheetError:
    return SpreadsheetError(ODD.format(detail))


@dataclass(frozen=True)
class Limits:
    """What one import accepts: its template's column count and its data-row limit (the header excluded)."""

    max_rows: int
    width: int
    allow_formulas: bool = False

    @property
    def last_row(self) -> int:  # 1-based, the header is row 1
        return self.max_rows + 1

    @property
    def cells(self) -> int:
        return self.last_row * self.width

    @property
    def parsed_bytes(self) -> int:
        return 1024 * 1024 + self.cells * PARSED_BYTES_PER_CELL


@dataclass(frozen=True)
class Checked:
    sheet_name: str
    rows: int  # an upper bound of the sheet's rows, the header included


def check_workbook(data: bytes, limits: Limits) -> Checked:
    """Refuse, with a message naming the problem, anything the parser could not read within `limits`."""
    archive = _open_zip(data)
    try:
        book = _resolve(archive)
        budget = _Budget(limits.parsed_bytes)
        rows = _scan_sheet(archive, book.sheet, limits, book.sheet_name, budget)
        if book.shared_strings:
            _scan_shared_strings(archive, book.shared_strings, limits, budget)
        _check_all_members(archive, skip={book.sheet.filename, getattr(book.shared_strings, "filename", None)})
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as error:
        # Sizes in the zip directory that lie about the data (a crafted bomb) end here: the CRC fails.
        raise SpreadsheetError(TAMPERED) from error
    return Checked(sheet_name=book.sheet_name, rows=rows)


# ---------------------------------------------------------------- the zip container


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if data.startswith(CFB_MAGIC):
        raise SpreadsheetError(
            "上传的是旧版Excel（.xls）文件或设有打开密码的文件。请取消密码，另存为“Excel工作簿（.xlsx）”后重新上传。"
        )
    if not data.startswith(ZIP_MAGIC):
        raise SpreadsheetError(NOT_XLSX)
    _check_end_record(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, NotImplementedError) as error:
        raise SpreadsheetError("Excel文件已损坏，无法打开。") from error
    infos = archive.infolist()
    _check_names(infos)
    total = sum(info.file_size for info in infos)
    packed = max(sum(info.compress_size for info in infos), 1)
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO and total > 20 * 1024 * 1024:
        raise SpreadsheetError(BOMB)
    return archive


def _check_end_record(data: bytes) -> None:
    """One end-of-directory record, at the very end, directly after the directory: every zip reader agrees."""
    tail_start = max(len(data) - 22 - 65535, 0)
    tail = data[tail_start:]
    if tail.count(b"PK\x05\x06") != 1:
        raise SpreadsheetError(
            "Excel文件已损坏，无法打开。" if b"PK\x05\x06" not in tail else ODD.format("多个压缩目录")
        )
    at = tail.find(b"PK\x05\x06")
    if len(tail) - at < 22:
        raise SpreadsheetError("Excel文件已损坏，无法打开。")
    _, disk, cd_disk, on_disk, total, cd_size, cd_offset, comment = struct.unpack("<4sHHHHIIH", tail[at : at + 22])
    end = tail_start + at
    if end + 22 + comment != len(data) or disk or cd_disk or on_disk != total:
        raise odd("压缩目录位置不符")
    if total == 0xFFFF or cd_offset == 0xFFFFFFFF or data[end - 20 : end - 16] == b"PK\x06\x07":
        raise odd("ZIP64目录")
    if total > MAX_MEMBERS:
        raise odd(f"包含{total}个内部文件，超过{MAX_MEMBERS}个")
    if cd_offset + cd_size != end:
        raise odd("压缩目录前后有多余数据")


def _check_names(infos: list[zipfile.ZipInfo]) -> None:
    seen = set()
    for info in infos:
        name = info.orig_filename
        if (
            name != info.filename
            or not name.isascii()
            or not name.isprintable()
            or "\\" in name
            or name.startswith("/")
        ):
            raise odd("内部文件名不合规")
        key = name.lower()
        if key in seen:
            raise odd(f"内部文件“{name}”重复出现")
        seen.add(key)
        if info.flag_bits & 0x1:
            raise SpreadsheetError("Excel文件设有密码（已加密），请取消密码后重新上传。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise odd("不支持的压缩方式")
        if _has_unicode_path(info.extra):
            raise odd("内部文件名不合规")
        if key == "mimetype" or key.endswith("workbook.bin.rels") or key.endswith("workbook.bin"):
            raise SpreadsheetError(
                "上传的文件不是Excel工作簿（.xlsx），而是其他表格格式（如 .ods 或 .xlsb）。请另存为“Excel工作簿（.xlsx）”后重新上传。"
            )


def _has_unicode_path(extra: bytes) -> bool:
    """An Info-ZIP Unicode path field (0x7075) renames the member for some readers and not for others."""
    at = 0
    while at + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, at)
        if kind in (0x7075, 0x6375):
            return True
        at += 4 + size
    return False


def _check_all_members(archive: zipfile.ZipFile, *, skip: set) -> None:
    """Decompress every other member once, counting: the directory's sizes may lie, the bytes cannot (CRC)."""
    total = 0
    for info in archive.infolist():
        if info.is_dir() or info.filename in skip:
            continue
        produced = 0
        with archive.open(info) as stream:
            while chunk := stream.read(1024 * 1024):
                produced += len(chunk)
                total += len(chunk)
                if (
                    total > MAX_UNCOMPRESSED_BYTES
                    or produced > 20 * 1024 * 1024
                    and produced > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
                ):
                    raise SpreadsheetError(BOMB)


# ---------------------------------------------------------------- which sheet the parser reads


@dataclass(frozen=True)
class _Book:
    sheet: zipfile.ZipInfo
    sheet_name: str
    shared_strings: zipfile.ZipInfo | None


class _Members:
    """Member lookup as calamine does it: ASCII-lowercase exact path, no "../" or "./" resolution."""

    def __init__(self, archive: zipfile.ZipFile):
        self.by_key = {info.filename.lower(): info for info in archive.infolist()}

    def get(self, path: str) -> zipfile.ZipInfo | None:
        return self.by_key.get(path.lower()) if path.isascii() else None


def _resolve(archive: zipfile.ZipFile) -> _Book:
    members = _Members(archive)
    if members.get("_rels/.rels") is None:
        raise SpreadsheetError("上传的文件不是Excel工作簿（.xlsx）。")
    root = _small_part(archive, members.get("_rels/.rels"), "rels", "缺少 _rels/.rels")
    documents = [
        a.get("Target", "")
        for local, a in _elements(root)
        if local == "Relationship" and a.get("Type", "").endswith("/relationships/officeDocument")
    ]
    if len(documents) != 1:
        raise odd("找不到唯一的工作簿入口" if documents else "缺少工作簿入口")
    target = documents[0]
    folder = target[: target.rfind("/") + 1].removeprefix("/") if "/" in target else ""
    rels = _small_part(archive, members.get(f"{folder}_rels/workbook.xml.rels"), "rels", "缺少工作簿关系文件")
    targets: dict[str, tuple[str, str]] = {}
    for local, attrs in _elements(rels):
        if local == "Relationship" and "Id" in attrs:
            if attrs["Id"] in targets:
                raise odd(f"关系编号“{attrs['Id']}”重复")
            targets[attrs["Id"]] = (attrs.get("Target", ""), attrs.get("Type", ""))
    workbook = _small_part(archive, members.get(f"{folder}workbook.xml"), "workbook", "缺少 workbook.xml")
    sheet = next((attrs for local, attrs in _elements(workbook) if local == "sheet"), None)
    if sheet is None:
        raise SpreadsheetError("Excel文件中没有工作表。")
    ids = [value for key, value in sheet.items() if key.rpartition(":")[2] == "id"]
    if len(ids) != 1 or ids[0] not in targets:
        raise odd("第一个工作表的关系编号无效")
    path, kind = targets[ids[0]]
    if kind.rsplit("/", 1)[-1] != "worksheet":
        raise SpreadsheetError("第一个工作表不是普通工作表（可能是图表），请使用下载的模板。")
    part = members.get(path[1:] if path.startswith("/") else folder + path)
    if part is None:
        raise odd("第一个工作表的数据文件不存在")
    _small_part(archive, members.get(f"{folder}styles.xml"), "styles", None)
    return _Book(part, sheet.get("name", ""), members.get(f"{folder}sharedStrings.xml"))


def _small_part(archive, info: zipfile.ZipInfo | None, kind: str, missing: str | None) -> bytes:
    if info is None:
        if missing:
            raise odd(missing)
        return b""
    limit = SMALL_PART_BYTES[kind]
    with archive.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise odd(f"“{info.filename}”过大")
    _check_prolog(data, info.filename)
    if kind == "rels" and b"&" in data:
        raise odd(f"“{info.filename}”含有转义字符")  # calamine reads these attributes raw, expat decoded
    return data


def _elements(data: bytes) -> list[tuple[str, dict]]:
    """Start tags as (local name, raw-named attributes); expat refuses what is not well-formed XML."""
    found = []
    parser = ParserCreate()
    parser.StartElementHandler = lambda name, attrs: found.append((name.rpartition(":")[2], attrs))
    _forbid_declarations(parser)
    try:
        parser.Parse(data, True)
    except ExpatError as error:
        raise odd("XML格式错误") from error
    _check_raw_ids(data)
    return found


_ID_ATTR = re.compile(rb"""[\s:]id\s*=\s*(?:"[^"]*&|'[^']*&)""")


def _check_raw_ids(data: bytes) -> None:
    """calamine compares r:id raw; an escaped id could name another relationship to it than to us."""
    if _ID_ATTR.search(data):
        raise odd("关系编号含有转义字符")


def _forbid_declarations(parser) -> None:
    def refuse(*_):
        raise SpreadsheetError(DOCTYPE)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse


DOCTYPE = "Excel文件含有文档类型或实体声明（DOCTYPE/ENTITY），Excel不会写入这类内容，已拒绝处理。"
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([^"']*)["']""")


def _check_prolog(head: bytes, name: str) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x4c\x6f\xa7\x94")) or (
        head[:1] not in (b"<", b"\xef", b"") and not head[:1].isspace()
    ):
        raise odd(f"“{name}”不是UTF-8编码")
    encoding = _ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    if encoding and encoding.group(1).lower().replace(b"-", b"").replace(b"_", b"") != b"utf8":
        raise odd(f"“{name}”不是UTF-8编码")
    if _DECLARATION.search(head):
        raise SpreadsheetError(DOCTYPE)


# ---------------------------------------------------------------- streaming the big parts


class _Budget:
    """Bytes of sheet and shared strings together: bounded per template cell."""

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            raise SpreadsheetError(
                f"工作表内容过多（解压后超过{self.limit // (1024 * 1024)} MB），请只保留模板中的列和需要导入的行，分批导入。"
            )


def _bodies(archive, info: zipfile.ZipInfo, name: str, budget: _Budget):
    """Yield the part in pieces that end just before a "<", so no tag is ever split between two pieces."""
    carry, first = b"", True
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            budget.spend(len(chunk))
            window = carry + chunk
            if first:
                _check_prolog(window[:4096], name)
                first = False
            _check_tokens(window)
            cut = window.rfind(b"<")
            body, carry = (window[:cut], window[cut:]) if cut > 0 else (b"", window)
            if body:
                yield body
    if carry:
        _check_tokens(carry)
        yield carry


def _check_tokens(window: bytes) -> None:
    for start in range(0, len(window), TOKEN_BLOCK):
        if window.find(b"<", start, start + TOKEN_BLOCK) < 0 and len(window) - start >= TOKEN_BLOCK:
            raise SpreadsheetError(LONG_TEXT)


LONG_TEXT = "Excel文件中有超长的文字或标记（单个单元格超过Excel的32767个字符），已拒绝处理。"
_SI = re.compile(rb"<(?:[^\s<>/!?:]+:)?si[\s/>]")
_UNIQUE_COUNT = re.compile(rb"uniqueCount")
_UNIQUE_COUNT_PLAIN = re.compile(rb'\suniqueCount="([0-9]{1,9})"')


def _scan_shared_strings(archive, info: zipfile.ZipInfo, limits: Limits, budget: _Budget) -> None:
    """calamine loads the whole table when it opens the file and reserves `uniqueCount` entries up front."""
    strings = 0
    for body in _bodies(archive, info, info.filename, budget):
        if b"<!" in body and _DECLARATION.search(body):
            raise SpreadsheetError(DOCTYPE)
        if _UNIQUE_COUNT.search(body):
            plain = [int(n) for n in _UNIQUE_COUNT_PLAIN.findall(body)]
            if len(plain) != body.count(b"uniqueCount") or any(n > limits.cells for n in plain):
                raise SpreadsheetError(f"共享文字表声明的条目数超过模板允许的{limits.cells}个单元格，已拒绝处理。")
        starts = [m.start() for m in _SI.finditer(body)]
        strings += len(starts)
        if strings > limits.cells:
            raise SpreadsheetError(f"共享文字表的条目超过模板允许的{limits.cells}个单元格，已拒绝处理。")
        if any(b - a > 2 * CELL_BLOCK for a, b in zip(starts, starts[1:])):
            raise SpreadsheetError(LONG_TEXT)


# ---------------------------------------------------------------- the sheet


class _NotPlain(Exception):
    """The fast path cannot vouch for this sheet; the exact pass decides."""


def _scan_sheet(archive, info, limits: Limits, name: str, budget: _Budget) -> int:
    """One streaming pass (the fast one); a second, exact one only for sheets no spreadsheet program writes."""
    spent = budget.used
    try:
        return _FastSheet(limits, name).run(_bodies(archive, info, info.filename, budget))
    except _NotPlain:
        budget.used = spent
    return _ExactSheet(limits, name).run(_bodies(archive, info, info.filename, budget))


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes | str) -> int:
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.upper().decode():
        number = number * 26 + ord(char) - 64
    return number


def _beyond(width: int) -> bytes:
    """A regex for column letters past `width` (< 702), either case: calamine reads "ab1" as AB1."""
    if not 0 < width < 702:
        raise ValueError(width)

    def letters(low: int, high: int = 25) -> bytes:  # 0 = A
        return b"[%c-%c%c-%c]" % (65 + low, 65 + high, 97 + low, 97 + high)

    if width < 26:
        return rb"(?:[A-Za-z]{2,}|" + letters(width) + rb")"
    first, second = divmod(width - 1, 26)  # the last template column is letter(first - 1) letter(second)
    options = [rb"[A-Za-z]{3,}"]
    if first < 26:
        options.append(letters(first) + letters(0))
    if second < 25:
        options.append(letters(first - 1, first - 1) + letters(second + 1))
    return rb"(?:" + rb"|".join(options) + rb")"


_ODD_CELL = re.compile(rb'<c(?:[>/\t\n\r]| (?!r="))')  # a cell tag without r= first: its place comes from counters
_SPACED_R = re.compile(rb"r[ \t\r\n]+=|r=[ \t\r\n]")  # starts with a literal: found at C speed
_PREFIXED = re.compile(rb":(?:c|row|f|v|is|sheetData|mergeCell)[\s/>]")
_FORMULA = re.compile(rb"<f[\s>/]")
_FORMULA_HINT = re.compile(rb"f[\s>/]")  # a necessary condition found faster: it does not start with "<"
_LAST_REF = re.compile(rb'<c r="([A-Z]+)([0-9]+)"')
_MERGE = re.compile(rb'<(?:[^\s<>/!?:]+:)?mergeCell\s+ref="([A-Za-z]+)([0-9]+):([A-Za-z]+)([0-9]+)"')


def formula_error(row: int, column: str) -> SpreadsheetError:
    return SpreadsheetError(f"工作表中含有公式（第 {row} 行 {column} 列）。请将公式单元格“选择性粘贴为数值”后再上传。")


def rows_error(limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(f"工作表超过{limits.max_rows}行数据，请分批导入。")


def _too_many_cells(limits: Limits) -> SpreadsheetError:
    return SpreadsheetError(
        f"工作表的单元格数量超过模板允许的范围（{limits.max_rows}行 × {limits.width}列），请只保留模板中的列和需要导入的行。"
    )


class _FastSheet:
    """Regex passes at C speed for sheets whose every cell tag starts `<c r="`; anything else is _NotPlain.

    A far reference is looked for in every `r=` of the text, whatever tag it sits in (calamine takes the last of
    two r= attributes), and only a tag that is plainly an empty `<c .../>` is let off: the parser skips those.
    """

    def __init__(self, limits: Limits, name: str):
        self.limits, self.name = limits, name
        # One pass for both: letters past the template's columns, or as many row digits as the limit has.
        self.far = re.compile(
            rb'r="(?:(' + _beyond(limits.width) + rb")([0-9]+)|([A-Za-z]{0,3})([0-9]{%d,}))" % len(str(limits.last_row))
        )
        self.cells = self.last_row = 0
        self.in_data = self.data_done = False

    def run(self, bodies) -> int:
        for body in bodies:
            self.check(body)
        return min(max(self.last_row, 1), self.limits.last_row)

    def check(self, body: bytes) -> None:
        if b"!" in body and b"<!" in body:  # "!" is rare, "<" is not: the two-byte search alone is slow
            if _DECLARATION.search(body):
                raise SpreadsheetError(DOCTYPE)
            raise _NotPlain  # comments and CDATA hide or show tags differently to a regex
        if b"?" in body and body.find(b"<?", 1) >= 0 or _PREFIXED.search(body) or _ODD_CELL.search(body):
            raise _NotPlain
        self._check_cell_spacing(body)
        self.cells += body.count(b"<c ")
        if self.cells > 2 * self.limits.cells:
            raise _too_many_cells(self.limits)
        if b"r='" in body or _SPACED_R.search(body):
            raise _NotPlain  # r = "…" or r='…' would slip past the literal r=" below
        for match in self.far.finditer(body):
            if match.group(1) is not None and _valued(body, match.start()):
                row = match.group(2)
                raise _wide_error(self.name, int(row), _row_width(body, row, match.group(1)), self.limits.width)
            if match.group(1) is None and int(match.group(4)) > self.limits.last_row and _valued(body, match.start()):
                raise rows_error(self.limits)
        if not self.limits.allow_formulas and _FORMULA_HINT.search(body) and (formula := _FORMULA.search(body)):
            ref = list(_LAST_REF.finditer(body, max(formula.start() - 4096, 0), formula.start()))
            raise formula_error(int(ref[-1].group(2)), ref[-1].group(1).decode()) if ref else formula_error(0, "?")
        if b"mergeCell" in body:
            _check_merges(_MERGE.finditer(body))
        if last := _LAST_REF.match(body, max(body.rfind(b'<c r="'), 0)):
            self.last_row = max(self.last_row, int(last.group(2)))  # an estimate for the caller's id reservation

    def _check_cell_spacing(self, body: bytes) -> None:
        """Inside sheetData a cell tag at least every CELL_BLOCK bytes: no cell's content reaches twice that."""
        if self.data_done:
            return
        start = body.find(b"<sheetData") if not self.in_data else 0
        if start < 0:
            return
        self.in_data = True
        end = body.find(b"</sheetData", start)
        self.data_done = end >= 0
        end = len(body) if end < 0 else end
        for at in range(start, end - CELL_BLOCK, CELL_BLOCK):
            if body.find(b"<c ", at, at + CELL_BLOCK) < 0:
                raise _NotPlain


def _row_width(body: bytes, row: bytes, letters: bytes) -> int:
    """For the message only: the widest valued column of that row in this piece of the sheet."""
    refs = re.finditer(rb'r="([A-Za-z]+)' + row + rb'"', body)
    return max([_column_number(letters)] + [_column_number(m.group(1)) for m in refs if _valued(body, m.start())])


def _valued(body: bytes, at: int) -> bool:
    """False only for a plain empty cell tag `<c .../>` around `at` (the parser skips it); True when in doubt."""
    start = body.rfind(b"<", 0, at)
    end = body.find(b">", at)
    if body[start : start + 5] in (b"<row ", b"<row\t", b"<row\n"):
        return False  # on this path every cell carries its own r=, so a row's number places nothing
    if start < 0 or end < 0 or body[start : start + 3] != b"<c " or body.find(b"<", start + 1, end) >= 0:
        return True
    return body[end - 1 : end] != b"/"


def _wide_error(name: str, row: int, columns: int, width: int) -> SpreadsheetError:
    return SpreadsheetError(
        f"工作表“{name}”第 {row} 行有 {columns} 列，模板只有 {width} 列（含有超出模板范围的单元格），"
        "请删除多出的列后重新上传。"
    )


MERGED_HEADER = "表头行不能有合并单元格，请使用下载的模板。"


def _check_merges(matches) -> None:
    for match in matches:
        if int(match.group(2)) <= 1 <= int(match.group(4)):
            raise SpreadsheetError(MERGED_HEADER)


_REF = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})")
_ROW_NUMBER = re.compile(r"[1-9][0-9]{0,6}")


class _ExactSheet:
    """pyexpat replaying calamine's cell positions: a cell's `r=`, else the running row and column."""

    def __init__(self, limits: Limits, name: str):
        self.limits, self.name = limits, name
        self.row = self.column = 0  # 0-based, as calamine keeps them
        self.in_data = self.done = False
        self.cell = None  # (row, column, start byte) of the open <c>
        self.valued = False
        self.max_row = self.cells = self.elements = 0
        self.wide = None  # (row, columns) of a row found wider than the template
        self.max_elements = 8 * limits.cells + 10_000

    def run(self, bodies) -> int:
        parser = ParserCreate()
        parser.ordered_attributes = False
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        _forbid_declarations(parser)
        self.parser = parser
        try:
            for body in bodies:
                parser.Parse(body, False)
            parser.Parse(b"", True)
        except ExpatError as error:
            raise odd("工作表XML格式错误") from error
        if self.wide:
            self._refuse_wide()
        return self.max_row

    def _refuse_wide(self):
        raise _wide_error(self.name, *self.wide, self.limits.width)

    def start(self, name: str, attrs: dict) -> None:
        self.elements += 1
        if self.elements > self.max_elements:
            raise SpreadsheetError(
                f"工作表的内容超过模板允许的范围（{self.limits.max_rows}行 × {self.limits.width}列），请只保留模板中的列和需要导入的行。"
            )
        local = name.rpartition(":")[2]
        if self.cell is not None:
            if local in ("c", "row", "sheetData"):
                raise odd("单元格内嵌套了行或单元格")
            if local in ("v", "is", "f"):
                self.valued = True
            if local == "f" and not self.limits.allow_formulas:
                raise formula_error(self.cell[0] + 1, column_letters(self.cell[1] + 1))
            return
        if local == "mergeCell":
            merge = re.fullmatch(r"[A-Za-z]+([0-9]+):[A-Za-z]+([0-9]+)", attrs.get("ref", ""))
            if merge and int(merge.group(1)) <= 1 <= int(merge.group(2)):
                raise SpreadsheetError(MERGED_HEADER)
        if not self.in_data or self.done:
            self.in_data = self.in_data or local == "sheetData"
            return
        if local == "row" and "r" in attrs:
            if not _ROW_NUMBER.fullmatch(attrs["r"]):
                raise odd(f"行号“{attrs['r'][:20]}”无效")
            self.row = int(attrs["r"]) - 1
        elif local == "c":
            ref = attrs.get("r")
            if ref is not None:
                match = _REF.fullmatch(ref)
                if not match:
                    raise odd(f"单元格位置“{ref[:20]}”无效")
                self.row, self.column = int(match.group(2)) - 1, _column_number(match.group(1)) - 1
                self.cell = (self.row, self.column, self.parser.CurrentByteIndex)
            else:
                self.cell = (self.row, self.column, self.parser.CurrentByteIndex)
            self.valued = False

    def end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if self.cell is not None:
            if local == "c":
                self._close_cell()
            return
        if not self.in_data or self.done:
            return
        if local == "row":
            self.row += 1
            self.column = 0
            if self.wide:
                self._refuse_wide()
        elif local == "sheetData":
            self.done = True  # calamine stops reading here

    def _close_cell(self) -> None:
        row, column, started = self.cell
        self.cell = None
        self.column = column + 1
        self.cells += 1
        if self.cells > 2 * self.limits.cells:
            if self.wide:
                self._refuse_wide()
            raise _too_many_cells(self.limits)
        if self.parser.CurrentByteIndex - started > 2 * CELL_BLOCK:
            raise SpreadsheetError(LONG_TEXT)
        if not self.valued:
            return
        if column + 1 > self.limits.width:  # refused when the row ends, so the message can say how wide it is
            if self.wide and self.wide[0] != row + 1:
                self._refuse_wide()
            self.wide = (row + 1, max(column + 1, self.wide[1] if self.wide else 0))
        if row + 1 > self.limits.last_row:
            raise rows_error(self.limits)
        self.max_row = max(self.max_row, row + 1)
