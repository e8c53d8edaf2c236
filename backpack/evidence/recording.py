"""What the container parsers report about a video or sound recording."""
import struct
from dataclasses import dataclass
from typing import BinaryIO

from backpack.evidence.refusals import Broken


@dataclass(frozen=True)
class Recording:
    kind: str  # "video" or "audio"
    mimetype: str
    duration: float | None  # seconds; None when the container does not say cheaply
    width: int | None = None
    height: int | None = None


def read_exactly(stream: BinaryIO, offset: int, count: int) -> bytes:
    """Read count bytes at offset, or refuse the file as cut short."""
    stream.seek(offset)
    data = stream.read(count)
    if len(data) != count:
        raise Broken()
    return data


def unpack(fmt: str, data: bytes, offset: int = 0) -> tuple:
    """struct.unpack_from that refuses the file instead of raising struct.error."""
    try:
        return struct.unpack_from(fmt, data, offset)
    except struct.error:
        raise Broken() from None
