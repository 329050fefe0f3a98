"""ZIP archives from uploads (.docx, .xlsx), checked before any library opens them.

``zipfile`` (and python-docx and openpyxl through it) trusts the archive: it
parses the whole central directory first, and it decompresses a member in one
call before cutting it to the size the directory declares. These checks read
only raw bytes and bounded streams, so that a small upload cannot make a
request allocate gigabytes. Pure: no Flask, no database.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from core.errors import UserError
from core.i18n_markers import N_

# The central directory of a Word file or a workbook is a few KB; zipfile
# builds one object per entry (about 300 bytes each) before anyone can count.
MAX_CENTRAL_DIRECTORY = 1024 * 1024
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM = 1024 * 1024
INFLATE_CHUNK = 64 * 1024

SUSPICIOUS = N_("The document is compressed in a suspicious way and cannot be accepted.")
_EOCD = struct.Struct("<4s4H2LH")


def check_central_directory(data: bytes) -> None:
    """Refuse an archive whose central directory is absurdly large, from its last bytes."""
    tail_start = max(len(data) - (_EOCD.size + 65535), 0)
    position = data.rfind(b"PK\x05\x06", tail_start)
    if position == -1 or position + _EOCD.size > len(data):
        return  # not a ZIP: the caller's own checks say so
    fields = _EOCD.unpack_from(data, position)
    entries, size = fields[4], fields[5]
    if entries == 0xFFFF or size == 0xFFFFFFFF:
        return  # ZIP64, which zipfile sizes from its own record
    if size > MAX_CENTRAL_DIRECTORY:
        raise UserError(SUSPICIOUS)


def check_real_sizes(archive: zipfile.ZipFile) -> None:
    """Inflate every member as a stream; refuse one that holds more than it declares.

    At most 64 KB come out at a time and reading stops one byte past the
    declared size, so the declared sizes (checked by the caller against a
    budget) bound every later read of the archive.
    """
    for entry in archive.infolist():
        _check_real_size(archive, entry)


def _check_real_size(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
    if entry.compress_type == zipfile.ZIP_STORED:
        return  # read as is: never more than the upload itself
    if entry.compress_type != zipfile.ZIP_DEFLATED:
        raise UserError(SUSPICIOUS)  # Office writes nothing else
    fp = archive.fp
    try:
        fp.seek(entry.header_offset)
        header = fp.read(zipfile.sizeFileHeader)
        if len(header) != zipfile.sizeFileHeader or header[:4] != zipfile.stringFileHeader:
            raise UserError(SUSPICIOUS)
        fields = struct.unpack(zipfile.structFileHeader, header)
        fp.seek(fields[zipfile._FH_FILENAME_LENGTH] + fields[zipfile._FH_EXTRA_FIELD_LENGTH], 1)
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        left, produced = entry.compress_size, 0
        while left > 0 and not inflater.eof:
            chunk = fp.read(min(INFLATE_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            while chunk and not inflater.eof:
                produced += len(inflater.decompress(chunk, INFLATE_CHUNK))
                chunk = inflater.unconsumed_tail
                if produced > entry.file_size:
                    raise UserError(SUSPICIOUS)
    except (zlib.error, struct.error, OSError, ValueError):
        raise UserError(SUSPICIOUS) from None


def check_workbook(data: bytes) -> None:
    """All the checks for an uploaded .xlsx, before openpyxl opens it.

    A file that is not a readable ZIP is left to openpyxl's own refusal.
    """
    check_central_directory(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    with archive:
        total = 0
        for entry in archive.infolist():
            total += entry.file_size
            if entry.file_size >= RATIO_CHECK_FROM and entry.file_size > MAX_COMPRESSION_RATIO * max(
                entry.compress_size, 1
            ):
                raise UserError(SUSPICIOUS)
        if total > MAX_UNCOMPRESSED:
            raise UserError(SUSPICIOUS)
        check_real_sizes(archive)
