"""MP4, MOV and M4A (ISO base media files): box structure checked, tracks and duration read.

Only box headers and the small boxes of the movie header ('moov', and the last fragment
header 'moof' of a fragmented recording) are read, never the media data, so a large
video costs a few hundred small reads.
"""
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from backpack.evidence.recording import Recording, read_exactly, unpack
from backpack.evidence.refusals import Broken, Unsupported

# Still images (HEIC, AVIF) share the container; they are photos we can't decode yet.
IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
MOVIE_HEADER_LIMIT = 8 * 1024 * 1024  # a 30-minute phone video needs about 1 MB
MAX_TOP_LEVEL_BOXES = 200_000
CONTAINERS = {b"moov", b"trak", b"mdia", b"mvex", b"moof", b"traf"}


def is_isobmff(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


def inspect(stream: BinaryIO, size: int) -> Recording:
    """Read a recording's kind and duration, refusing broken, cut or padded files."""
    boxes = _top_level_boxes(stream, size)
    if boxes[0][0] != b"ftyp":
        raise Broken()
    brand = read_exactly(stream, boxes[0][1], 4) if boxes[0][2] - boxes[0][1] >= 4 else b""
    if brand in IMAGE_BRANDS:
        raise Unsupported(_l("We cannot take HEIC or AVIF photos yet. Please send the photo as JPEG."))
    movie = next((box for box in boxes if box[0] == b"moov"), None)
    if movie is None or movie[2] - movie[1] > MOVIE_HEADER_LIMIT:
        raise Unsupported()
    moov = read_exactly(stream, movie[1], movie[2] - movie[1])
    tracks = [_track(moov, start, end) for kind, start, end in _children(moov, 0, len(moov)) if kind == b"trak"]
    video = [track for track in tracks if track["handler"] == b"vide"]
    if not video and not any(track["handler"] == b"soun" for track in tracks):
        raise Unsupported()
    duration = _movie_duration(moov)
    if not duration:
        duration = _fragmented_duration(stream, boxes, tracks)
    if video:
        # MOV is served as video/mp4 too: browsers other than Safari play an H.264 MOV
        # only under that name, and the two containers are the same boxes.
        return Recording("video", "video/mp4", duration, video[0]["width"], video[0]["height"])
    return Recording("audio", "audio/mp4", duration)


def _top_level_boxes(stream, size):
    """Return (type, payload start, payload end) of every top-level box; they must tile the file."""
    boxes, offset = [], 0
    while offset < size:
        kind, start, end = _header(read_exactly(stream, offset, min(16, size - offset)), offset, size)
        if not all(0x20 <= byte <= 0x7E for byte in kind):
            raise Broken()
        boxes.append((kind, start, end))
        if len(boxes) > MAX_TOP_LEVEL_BOXES:
            raise Unsupported()
        offset = end
    if not boxes:
        raise Broken()
    return boxes


def _header(data: bytes, offset: int, limit: int):
    """Parse a box header at `offset` (data starts there); return type and payload bounds."""
    size, kind = unpack(">I4s", data)
    header = 8
    if size == 1:
        (size,) = unpack(">Q", data, 8)
        header = 16
    elif size == 0:
        size = limit - offset  # "to the end of the file"
    if size < header or offset + size > limit:
        raise Broken()
    return kind, offset + header, offset + size


def _children(data: bytes, start: int, end: int):
    """Yield (type, payload start, payload end) of the boxes inside data[start:end]."""
    offset = start
    while offset < end:
        kind, payload, stop = _header(data[offset : offset + 16], 0, end - offset)
        yield kind, offset + payload, offset + stop
        offset += stop


def _find(data: bytes, start: int, end: int, *path: bytes):
    """Return the payload bounds of the first box at the path under data[start:end], or None."""
    for kind, payload, stop in _children(data, start, end):
        if kind == path[0]:
            return (payload, stop) if len(path) == 1 else _find(data, payload, stop, *path[1:])
    return None


def _track(moov: bytes, start: int, end: int) -> dict:
    """Read a track's handler ('vide', 'soun'), id, timescale and picture size."""
    track = {"handler": None, "id": None, "timescale": None, "width": None, "height": None}
    handler = _find(moov, start, end, b"mdia", b"hdlr")
    if handler:
        track["handler"] = moov[handler[0] + 8 : handler[0] + 12]
    media_header = _find(moov, start, end, b"mdia", b"mdhd")
    if media_header:
        version = moov[media_header[0]]
        (track["timescale"],) = unpack(">I", moov, media_header[0] + (20 if version == 1 else 12))
    header = _find(moov, start, end, b"tkhd")
    if header:
        payload = moov[header[0] : header[1]]
        matrix = 52 if payload[:1] == b"\x01" else 40
        (track["id"],) = unpack(">I", payload, 20 if matrix == 52 else 12)
        (a,) = unpack(">i", payload, matrix)
        width, height = (value >> 16 for value in unpack(">II", payload, matrix + 36))
        # Phones record portrait video as landscape with a 90-degree matrix.
        track["width"], track["height"] = (height, width) if a == 0 else (width, height)
    return track


def _movie_duration(moov: bytes) -> float | None:
    header = _find(moov, 0, len(moov), b"mvhd")
    if not header:
        return None
    if moov[header[0]] == 1:
        timescale, duration = unpack(">IQ", moov, header[0] + 20)
    else:
        timescale, duration = unpack(">II", moov, header[0] + 12)
    return duration / timescale if timescale and duration else None


def _fragmented_duration(stream, boxes, tracks) -> float | None:
    """Estimate a fragmented recording's length (Safari's MediaRecorder) from its last fragment."""
    last = next((box for box in reversed(boxes) if box[0] == b"moof"), None)
    if last is None or last[2] - last[1] > MOVIE_HEADER_LIMIT:
        return None
    moof = read_exactly(stream, last[1], last[2] - last[1])
    timescales = {track["id"]: track["timescale"] for track in tracks}
    ends = []
    for kind, start, end in _children(moof, 0, len(moof)):
        if kind != b"traf":
            continue
        track_id, default_duration = _fragment_header(moof, start, end)
        decode_time = _find(moof, start, end, b"tfdt")
        timescale = timescales.get(track_id)
        if not decode_time or not timescale:
            continue
        fmt = ">Q" if moof[decode_time[0]] == 1 else ">I"
        (base,) = unpack(fmt, moof, decode_time[0] + 4)
        ends.append((base + _run_duration(moof, start, end, default_duration)) / timescale)
    return max(ends) if ends else None


def _fragment_header(moof: bytes, start: int, end: int) -> tuple[int | None, int]:
    header = _find(moof, start, end, b"tfhd")
    if not header:
        return None, 0
    (flags,) = unpack(">I", moof, header[0])
    (track_id,) = unpack(">I", moof, header[0] + 4)
    offset = header[0] + 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
    default = unpack(">I", moof, offset)[0] if flags & 0x08 else 0
    return track_id, default


def _run_duration(moof: bytes, start: int, end: int, default_duration: int) -> int:
    """Sum the sample durations of a fragment's first track run."""
    run = _find(moof, start, end, b"trun")
    if not run:
        return 0
    flags, count = unpack(">II", moof, run[0])
    flags &= 0xFFFFFF
    if not flags & 0x100:
        return count * default_duration
    offset = run[0] + 8 + (4 if flags & 0x01 else 0) + (4 if flags & 0x04 else 0)
    step = 4 * sum(1 for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit)
    if offset + step * count > run[1]:
        raise Broken()
    return sum(unpack(">I", moof, offset + step * index)[0] for index in range(count))
