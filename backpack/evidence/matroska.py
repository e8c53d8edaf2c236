"""WebM (Chrome's and Firefox's MediaRecorder): element structure checked, tracks and duration read.

The file is walked element by element without reading media data: Segment, Cluster and
BlockGroup are entered (MediaRecorder writes them with an unknown size), everything else
is skipped by its size, and every element must end inside the file. Chrome leaves out
the Duration, so the length is then taken from the last block's timestamp.
"""
import struct
from typing import BinaryIO

from backpack.evidence.recording import Recording, read_exactly
from backpack.evidence.refusals import Broken, Unsupported

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
SEGMENT, CLUSTER, BLOCK_GROUP = 0x18538067, 0x1F43B675, 0xA0
ENTERED = {SEGMENT, CLUSTER, BLOCK_GROUP}
INFO, TRACKS, TIMECODE, SIMPLE_BLOCK, BLOCK = 0x1549A966, 0x1654AE6B, 0xE7, 0xA3, 0xA1
ATTACHMENTS = 0x1941A469
DOC_TYPE, TIMECODE_SCALE, DURATION = 0x4282, 0x2AD7B1, 0x4489
TRACK_ENTRY, TRACK_TYPE, VIDEO, PIXEL_WIDTH, PIXEL_HEIGHT = 0xAE, 0x83, 0xE0, 0xB0, 0xBA
HEADER_LIMIT = 1024 * 1024
MAX_ELEMENTS = 2_000_000
UNKNOWN = -1


def is_ebml(head: bytes) -> bool:
    return head.startswith(EBML_MAGIC)


def inspect(stream: BinaryIO, size: int) -> Recording:
    """Read a WebM recording's kind, size and duration, refusing broken, cut or padded files."""
    element_id, start, end = _element(stream, 0, size)
    if element_id != 0x1A45DFA3 or end is UNKNOWN:
        raise Broken()
    header = _fields(read_exactly(stream, start, end - start))
    if header.get(DOC_TYPE, b"").rstrip(b"\0") != b"webm":
        raise Unsupported()  # Matroska (.mkv) and others that browsers don't play
    segment_id, offset, segment_end = _element(stream, end, size)
    if segment_id != SEGMENT:
        raise Broken()
    if segment_end is not UNKNOWN and segment_end != size:
        raise Broken()  # something hides after the recording
    return _walk(stream, offset, size)


def _walk(stream, offset, size) -> Recording:
    scale, duration, tracks = 1_000_000, None, []
    cluster_time, last_time, count = 0, None, 0
    while offset < size:
        count += 1
        if count > MAX_ELEMENTS:
            raise Unsupported()
        element_id, start, end = _element(stream, offset, size)
        if element_id in ENTERED:
            offset = start
            continue
        if end is UNKNOWN:
            raise Broken()
        if element_id == ATTACHMENTS:
            raise Unsupported()  # files inside the recording
        if element_id in (INFO, TRACKS):
            if end - start > HEADER_LIMIT:
                raise Unsupported()
            payload = read_exactly(stream, start, end - start)
            if element_id == INFO:
                scale, duration = _info(payload)
            else:
                tracks = _tracks(payload)
        elif element_id == TIMECODE:
            cluster_time = _uint(read_exactly(stream, start, end - start))
        elif element_id in (SIMPLE_BLOCK, BLOCK):
            relative = _block_time(read_exactly(stream, start, min(end - start, 10)))
            last_time = max(last_time or 0, cluster_time + relative)
        offset = end
    if duration is None and last_time is not None:
        duration = last_time
    seconds = duration * scale / 1e9 if duration else None
    video = [track for track in tracks if track[0] == 1]
    if video:
        return Recording("video", "video/webm", seconds, video[0][1], video[0][2])
    if any(track[0] == 2 for track in tracks):
        return Recording("audio", "audio/webm", seconds)
    raise Unsupported()


def _element(stream, offset, limit):
    """Return (id, payload start, payload end or UNKNOWN) of the element at offset."""
    stream.seek(offset)
    head = stream.read(12)
    element_id, id_length = _vint(head, 0, keep_marker=True)
    length, size_length = _vint(head, id_length, keep_marker=False)
    start = offset + id_length + size_length
    if length == (1 << (7 * size_length)) - 1:
        return element_id, start, UNKNOWN
    if start + length > limit:
        raise Broken()
    return element_id, start, start + length


def _vint(data: bytes, offset: int, keep_marker: bool):
    """Decode an EBML variable-length integer; return (value, length in bytes)."""
    if offset >= len(data) or data[offset] == 0:
        raise Broken()
    first = data[offset]
    length = 8 - first.bit_length() + 1
    if offset + length > len(data) or (keep_marker and length > 4):
        raise Broken()
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[offset + 1 : offset + length]:
        value = (value << 8) | byte
    return value, length


def _fields(payload: bytes) -> dict:
    """Return the child elements of a small master element as {id: bytes}; first one wins."""
    found, offset = {}, 0
    while offset < len(payload):
        element_id, id_length = _vint(payload, offset, keep_marker=True)
        length, size_length = _vint(payload, offset + id_length, keep_marker=False)
        start = offset + id_length + size_length
        if start + length > len(payload):
            raise Broken()
        found.setdefault(element_id, payload[start : start + length])
        offset = start + length
    return found


def _info(payload: bytes):
    fields = _fields(payload)
    scale = _uint(fields[TIMECODE_SCALE]) if TIMECODE_SCALE in fields else 1_000_000
    raw = fields.get(DURATION)
    if raw is None:
        return scale, None
    if len(raw) not in (4, 8):
        raise Broken()
    return scale, struct.unpack(">f" if len(raw) == 4 else ">d", raw)[0]


def _tracks(payload: bytes) -> list[tuple[int, int | None, int | None]]:
    """Return (type, width, height) per track: type 1 is video, 2 is audio."""
    tracks, offset = [], 0
    while offset < len(payload):
        element_id, id_length = _vint(payload, offset, keep_marker=True)
        length, size_length = _vint(payload, offset + id_length, keep_marker=False)
        start = offset + id_length + size_length
        if start + length > len(payload):
            raise Broken()
        if element_id == TRACK_ENTRY:
            entry = _fields(payload[start : start + length])
            video = _fields(entry[VIDEO]) if VIDEO in entry else {}
            width = _uint(video[PIXEL_WIDTH]) if PIXEL_WIDTH in video else None
            height = _uint(video[PIXEL_HEIGHT]) if PIXEL_HEIGHT in video else None
            tracks.append((_uint(entry.get(TRACK_TYPE, b"")), width, height))
        offset = start + length
    return tracks


def _block_time(head: bytes) -> int:
    """Return a block's timestamp relative to its cluster (after the track number)."""
    _track, length = _vint(head, 0, keep_marker=False)
    if length + 2 > len(head):
        raise Broken()
    return struct.unpack_from(">h", head, length)[0]


def _uint(data: bytes) -> int:
    if len(data) > 8:
        raise Broken()
    return int.from_bytes(data, "big")
