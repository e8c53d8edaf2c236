"""Real media files made in the test: photos by Pillow, containers byte by byte from their specs.

The container builders write the same structures phones and browsers write (checked by
hand against Chromium's MediaRecorder output: WebM with unknown sizes and no Duration,
fragmented MP4), small enough to build in microseconds.
"""
import io
import struct
import zlib

from PIL import Image

# Photos ---------------------------------------------------------------------------------

def jpeg(size=(640, 480), colour=(200, 80, 40), *, exif=None, quality=90, **options) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    # A gradient, so the encoder has something to do and resizing is visible.
    image.paste((20, 120, 220), (0, 0, size[0] // 2, size[1] // 2))
    if exif is not None:
        options["exif"] = exif
    image.save(buffer, "JPEG", quality=quality, **options)
    return buffer.getvalue()


def gps_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: camera, time and where the photo was taken."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0132] = "2026:03:01 10:00:00"  # DateTime
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.34)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.9)
    return exif


def png(size=(64, 64), mode="RGBA", colour=(0, 128, 0, 128)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A PNG declaring width x height grey pixels, all zero: a tiny file, a huge picture."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def zip_bomb() -> bytes:
    """A ZIP holding 50 MB of zeros in a few kilobytes."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("photo.jpg", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


# MP4 / MOV / M4A ---------------------------------------------------------------------------

def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def full_box(kind: bytes, version: int, flags: int, payload: bytes) -> bytes:
    return box(kind, bytes([version]) + flags.to_bytes(3, "big") + payload)


def _trak(track_id, handler, timescale, width=0, height=0, rotate=False):
    matrix = (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000) if rotate else (
        0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000
    )
    tkhd = full_box(
        b"tkhd", 0, 3,
        struct.pack(">IIIII", 0, 0, track_id, 0, 0) + b"\0" * 8 + struct.pack(">hhhh", 0, 0, 0, 0)
        + struct.pack(">9i", *matrix) + struct.pack(">II", width << 16, height << 16),
    )
    mdhd = full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, timescale, 0, 0x55C4, 0))
    hdlr = full_box(b"hdlr", 0, 0, b"\0\0\0\0" + handler + b"\0" * 12 + b"track\0")
    return box(b"trak", tkhd + box(b"mdia", mdhd + hdlr))


def mp4(seconds=3.0, *, video=True, brand=b"isom", size=(1280, 720), rotate=False, mdat=4000) -> bytes:
    """A progressive MP4 (MOV with brand 'qt  ', M4A with video=False)."""
    timescale = 600
    ftyp = box(b"ftyp", brand + b"\0\0\x02\0" + brand + b"mp41")
    mvhd = full_box(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, timescale, round(seconds * timescale)) + b"\0" * 80)
    tracks = _trak(1, b"vide", 90000, *size, rotate=rotate) if video else b""
    tracks += _trak(2, b"soun", 48000)
    return ftyp + box(b"moov", mvhd + tracks) + box(b"mdat", b"\x11" * mdat)


def fragmented_mp4(seconds=4, *, video=True) -> bytes:
    """A fragmented MP4 as Safari's and Chrome's MediaRecorder write it: no duration in 'moov'."""
    ftyp = box(b"ftyp", b"iso5\0\0\x02\0iso5iso6mp41")
    mvhd = full_box(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, 1000, 0) + b"\0" * 80)
    trex = full_box(b"trex", 0, 0, struct.pack(">IIIII", 1, 1, 0, 0, 0))
    track = _trak(1, b"vide" if video else b"soun", 1000, 320, 240)
    out = ftyp + box(b"moov", mvhd + track + box(b"mvex", trex))
    for second in range(seconds):
        tfhd = full_box(b"tfhd", 0, 0x020008, struct.pack(">II", 1, 100))  # default duration 100
        tfdt = full_box(b"tfdt", 1, 0, struct.pack(">Q", second * 1000))
        trun = full_box(b"trun", 0, 0x000001, struct.pack(">Ii", 10, 0))  # 10 samples
        out += box(b"moof", full_box(b"mfhd", 0, 0, struct.pack(">I", second + 1)) + box(b"traf", tfhd + tfdt + trun))
        out += box(b"mdat", b"\x22" * 500)
    return out


# WebM ------------------------------------------------------------------------------------

UNKNOWN_SIZE = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def element(element_id: bytes, payload: bytes) -> bytes:
    return element_id + b"\x01" + len(payload).to_bytes(7, "big") + payload


def webm(seconds=3.0, *, video=True, doc_type=b"webm", with_duration=False, live=True) -> bytes:
    """A WebM recording; live=True writes unknown sizes and no Duration, like Chrome does."""
    header = element(b"\x1a\x45\xdf\xa3", element(b"\x42\x86", b"\x01") + element(b"\x42\x82", doc_type))
    info = element(b"\x2a\xd7\xb1", (1_000_000).to_bytes(3, "big"))
    if with_duration:
        info += element(b"\x44\x89", struct.pack(">d", seconds * 1000))
    entries = element(b"\xae", element(b"\xd7", b"\x01") + element(b"\x83", b"\x02"))
    if video:
        picture = element(b"\xb0", (640).to_bytes(2, "big")) + element(b"\xba", (360).to_bytes(2, "big"))
        entries += element(b"\xae", element(b"\xd7", b"\x02") + element(b"\x83", b"\x01") + element(b"\xe0", picture))
    body = element(b"\x15\x49\xa9\x66", info) + element(b"\x16\x54\xae\x6b", entries)
    milliseconds = round(seconds * 1000)
    for start in range(0, milliseconds, 1000):
        blocks = element(b"\xe7", start.to_bytes(4, "big"))
        for offset in range(0, min(1000, milliseconds - start), 250):
            blocks += element(b"\xa3", b"\x81" + struct.pack(">h", offset) + b"\x80" + b"\x33" * 200)
        # The last block starts 250 ms before the end, as the next one never comes.
        body += (b"\x1f\x43\xb6\x75" + UNKNOWN_SIZE + blocks) if live else element(b"\x1f\x43\xb6\x75", blocks)
    if live:
        return header + b"\x18\x53\x80\x67" + UNKNOWN_SIZE + body
    return header + element(b"\x18\x53\x80\x67", body)


# Ogg Opus --------------------------------------------------------------------------------

def _ogg_page(packet: bytes, granule: int, sequence: int, header_type=0) -> bytes:
    lacing = b"\xff" * (len(packet) // 255) + bytes([len(packet) % 255])
    return (
        b"OggS\0" + bytes([header_type]) + struct.pack("<qIII", granule, 0x1234, sequence, 0)
        + bytes([len(lacing)]) + lacing + packet
    )


def ogg_opus(seconds=3.0) -> bytes:
    head = b"OpusHead\x01\x01" + struct.pack("<HIhB", 312, 48000, 0, 0)
    pages = [_ogg_page(head, 0, 0, 2), _ogg_page(b"OpusTags\0\0\0\0\0\0\0\0", 0, 1)]
    for index in range(1, round(seconds) + 1):
        pages.append(_ogg_page(b"\x44" * 300, 312 + index * 48000, index + 1, 4 if index == round(seconds) else 0))
    return b"".join(pages)


# MP3 and AAC -----------------------------------------------------------------------------

def mp3(seconds=2.0, *, id3=True) -> bytes:
    """MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417-byte frames of 1152 samples."""
    frames = round(seconds * 44100 / 1152)
    frame = b"\xff\xfb\x90\x00" + b"\0" * 413
    tag = b"ID3\x04\0\0" + bytes([0, 0, 0, 10]) + b"\0" * 10 if id3 else b""
    return tag + frame * frames


def adts(seconds=2.0) -> bytes:
    """Raw AAC (ADTS), 44.1 kHz: 1024 samples a frame."""
    length = 200
    header = bytes([0xFF, 0xF1, 0x50, 0x80 | (length >> 11), (length >> 3) & 0xFF, ((length & 7) << 5) | 0x1F, 0xFC])
    return (header + b"\0" * (length - 7)) * round(seconds * 44100 / 1024)


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
