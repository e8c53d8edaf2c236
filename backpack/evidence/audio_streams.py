"""Ogg (Opus, Vorbis), MP3 and raw AAC (ADTS) sound files: walked page by page or frame by frame.

Walking every page or frame header checks the file is what it says to its end (so nothing
rides along after the sound) and gives the duration without decoding any sound.
"""
from typing import BinaryIO

from backpack.evidence.recording import Recording, read_exactly, unpack
from backpack.evidence.refusals import Broken, Unsupported

MAX_FRAMES = 2_000_000
# Trailing tags that MP3 files legitimately end with.
MP3_TRAILERS = (b"TAG", b"APETAGEX", b"LYRICS")
MP3_BITRATES = {
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 layer III
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2 and 2.5
}
MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
AAC_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)


def is_ogg(head: bytes) -> bool:
    return head.startswith(b"OggS")


def is_mpeg_audio(head: bytes) -> bool:
    """Tell MP3 (with or without an ID3 tag) and ADTS AAC from their first bytes."""
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def inspect_ogg(stream: BinaryIO, size: int) -> Recording:
    """Walk every Ogg page; take Opus or Vorbis only, and the duration from the last granule."""
    offset, serial, rate, skip, granule = 0, None, None, 0, 0
    pages = 0
    while offset < size:
        header = read_exactly(stream, offset, 27)
        if not header.startswith(b"OggS") or header[4] != 0:
            raise Broken()
        segments = read_exactly(stream, offset + 27, header[26])
        body = offset + 27 + header[26]
        page_end = body + sum(segments)
        if page_end > size:
            raise Broken()
        (position, page_serial) = unpack("<qI", header, 6)
        if serial is None:
            serial = page_serial
            rate, skip = _codec(read_exactly(stream, body, min(page_end - body, 19)))
        if page_serial == serial and position > 0:
            granule = position
        pages += 1
        if pages > MAX_FRAMES:
            raise Unsupported()
        offset = page_end
    seconds = max(0, granule - skip) / rate if granule else None
    return Recording("audio", "audio/ogg", seconds)


def _codec(first_packet: bytes) -> tuple[int, int]:
    """Return (sample rate of the granule positions, samples to skip) for Opus or Vorbis."""
    if first_packet.startswith(b"OpusHead") and len(first_packet) >= 12:
        return 48000, unpack("<H", first_packet, 10)[0]
    if first_packet.startswith(b"\x01vorbis") and len(first_packet) >= 16:
        rate = unpack("<I", first_packet, 12)[0]
        if rate:
            return rate, 0
    raise Unsupported()  # Theora video, FLAC, Speex: not what phones record


def inspect_mpeg(stream: BinaryIO, size: int) -> Recording:
    """Walk every MP3 or ADTS frame from the first to the last; their count gives the duration."""
    offset = 0
    head = read_exactly(stream, 0, min(size, 10))
    if head.startswith(b"ID3"):
        if len(head) < 10:
            raise Broken()
        flags, tag_size = head[5], _syncsafe(head[6:10])
        offset = 10 + tag_size + (10 if flags & 0x10 else 0)
    first = read_exactly(stream, offset, 4)
    adts = first[0] == 0xFF and first[1] & 0xF6 == 0xF0
    frame = _adts_frame if adts else _mp3_frame
    samples, frames, rate = 0, 0, None
    while size - offset >= 7:
        found = frame(read_exactly(stream, offset, 7))
        if found is None:
            break
        length, frame_samples, frame_rate = found
        if offset + length > size:
            raise Broken()
        rate = rate or frame_rate
        samples += frame_samples
        frames += 1
        if frames > MAX_FRAMES:
            raise Unsupported()
        offset += length
    if frames < 2:
        raise Unsupported() if frames == 0 else Broken()
    if offset < size and (adts or not read_exactly(stream, offset, min(8, size - offset)).startswith(MP3_TRAILERS)):
        raise Broken()  # something other than sound after the last frame
    return Recording("audio", "audio/aac" if adts else "audio/mpeg", samples / rate)


def _syncsafe(data: bytes) -> int:
    if any(byte & 0x80 for byte in data):
        raise Broken()
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def _mp3_frame(header: bytes):
    """Return (length, samples, sample rate) of an MPEG layer III frame header, or None."""
    if header[0] != 0xFF or header[1] & 0xE0 != 0xE0 or (header[1] >> 1) & 3 != 1:
        return None
    version = (header[1] >> 3) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = MP3_BITRATES[3 if version == 3 else 2][bitrate_index] * 1000
    rate = MP3_RATES[version][rate_index]
    padding = (header[2] >> 1) & 1
    samples = 1152 if version == 3 else 576
    return samples // 8 * bitrate // rate + padding, samples, rate


def _adts_frame(header: bytes):
    """Return (length, samples, sample rate) of an ADTS AAC frame header, or None."""
    if header[0] != 0xFF or header[1] & 0xF6 != 0xF0:
        return None
    rate_index = (header[2] >> 2) & 0xF
    length = ((header[3] & 3) << 11) | (header[4] << 3) | (header[5] >> 5)
    if rate_index >= len(AAC_RATES) or length < 7:
        return None
    return length, 1024 * ((header[6] & 3) + 1), AAC_RATES[rate_index]
