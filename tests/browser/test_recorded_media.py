"""What a phone's browser records is taken: MediaRecorder's real output passes the media checks.

Chromium writes WebM with unknown sizes and no duration, and fragmented MP4 with the
length only in its fragments; the hand-made samples in tests/evidence copy that, and this
test keeps them honest against the real thing.
"""
import base64

import pytest

from backpack.evidence.media_checks import Limits, check_media

LIMITS = Limits(
    max_bytes={"photo": 25_000_000, "video": 200_000_000, "audio": 30_000_000, "file": 20_000_000},
    max_seconds={"video": 300, "audio": 600},
    max_pixels=50_000_000,
    image_side=1600,
)

RECORD = """
async ([mimeType, withPicture, milliseconds]) => {
  if (!MediaRecorder.isTypeSupported(mimeType)) return null;
  const canvas = Object.assign(document.createElement("canvas"), { width: 320, height: 240 });
  const paint = canvas.getContext("2d");
  let frame = 0;
  const painter = setInterval(() => { paint.fillStyle = `hsl(${frame++ * 10} 80% 50%)`; paint.fillRect(0, 0, 320, 240); }, 30);
  const sound = new AudioContext();
  const tone = sound.createOscillator();
  const output = sound.createMediaStreamDestination();
  tone.connect(output);
  tone.start();
  const tracks = [...(withPicture ? canvas.captureStream(30).getTracks() : []), ...output.stream.getTracks()];
  const recorder = new MediaRecorder(new MediaStream(tracks), { mimeType });
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(500);
  await new Promise((resolve) => setTimeout(resolve, milliseconds));
  recorder.stop();
  await stopped;
  clearInterval(painter);
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}
"""


@pytest.mark.browser
@pytest.mark.parametrize(
    "mimetype, picture, kind, stored_as",
    [
        ("video/webm;codecs=vp8,opus", True, "video", "video/webm"),
        ("audio/webm;codecs=opus", False, "audio", "audio/webm"),
        ("video/mp4", True, "video", "video/mp4"),
        ("audio/mp4", False, "audio", "audio/mp4"),
    ],
    ids=["webm-video", "webm-voice", "mp4-video", "mp4-voice"],
)
def test_a_recording_made_by_the_browser_passes_the_checks(chromium, mimetype, picture, kind, stored_as):
    page = chromium.new_page()
    try:
        recorded = page.evaluate(RECORD, [mimetype, picture, 2500])
    finally:
        page.close()
    if recorded is None:
        pytest.skip(f"this Chromium cannot record {mimetype}")
    checked = check_media(base64.b64decode(recorded), LIMITS)
    assert (checked.kind, checked.mimetype) == (kind, stored_as)
    assert checked.duration == pytest.approx(2.5, abs=0.6)
    if picture:
        assert (checked.width, checked.height) == (320, 240)
