"""Steps that several browser journeys share: joining, classes, capturing evidence, its rows.

Kept here rather than copied between test files, so a change to the capture page is
followed in one place.
"""
from playwright.sync_api import expect

from backpack.extensions import db
from backpack.models import Classroom, Enrolment, Evidence

# How many items the phone's IndexedDB queue still holds (uploaded ones leave it).
QUEUED = """async () => {
  const { backpackEvidenceQueue } = self;
  return (await backpackEvidenceQueue.all()).length;
}"""


# Waits the page answers itself, as a promise evaluated through DevTools: polling a string with
# wait_for_function needs eval(), which the app's CSP (script-src 'self') rightly refuses.
CONTROLLED = """() => navigator.serviceWorker.controller !== null || new Promise((resolve, reject) => {
  navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true), { once: true });
  setTimeout(async () => {
    // Say where the worker stopped, so a failure can be told from a slow machine.
    const registration = await navigator.serviceWorker.getRegistration();
    const state = (worker) => worker?.state ?? "none";
    const where = registration
      ? `installing ${state(registration.installing)}, waiting ${state(registration.waiting)}, active ${state(registration.active)}`
      : "no registration";
    reject(new Error(`no service worker took control of the page (${where}; ${location.pathname})`));
  }, 30000);
})"""
CONNECTION = """(online) => navigator.onLine === online || new Promise((resolve, reject) => {
  addEventListener(online ? "online" : "offline", () => resolve(true), { once: true });
  setTimeout(() => reject(new Error("the page never saw the connection change")), 30000);
})"""


def wait_until_controlled(page) -> None:
    """Wait until the service worker controls the page (the offline queue and kept pages need it)."""
    page.evaluate(CONTROLLED)


def wait_until_connection(page, *, online: bool) -> None:
    """Wait until the page knows the phone's connection is gone (or back)."""
    page.evaluate(CONNECTION, online)


def join(phone, person) -> None:
    """Open the person's invite on their phone and create a passkey there."""
    phone.open(person.invite_path)
    phone.press_passkey_button("Create my passkey", lands_on=r"/account/welcome$")


def start_class(server, teacher, learners, name="Evening English B1") -> None:
    """Put the learners in a class of the teacher's, as the Classes page would."""
    with server.database() as session:
        classroom = Classroom(name=name, teacher_id=teacher.user_id)
        session.add(classroom)
        session.flush()
        session.add_all(
            Enrolment(classroom_id=classroom.id, learner_id=person.user_id) for person in learners
        )
        session.commit()


def stored_evidence(server, user_id: int) -> list[Evidence]:
    """Return the learner's evidence rows, oldest first, detached from the session."""
    with server.database() as session:
        rows = session.scalars(
            db.select(Evidence).where(Evidence.owner_id == user_id).order_by(Evidence.id)
        ).all()
        session.expunge_all()
        return rows


def camera_phone(phones, server):
    """A phone whose camera and microphone the app may use without asking (fake devices)."""
    phone = phones(permissions=["camera", "microphone"])
    phone.context.grant_permissions(["camera", "microphone"], origin=server.url)
    return phone


def open_evidence_page(phone) -> None:
    """Open My evidence and wait until the service worker controls it (for the offline queue)."""
    phone.open("/evidence")
    wait_until_controlled(phone.page)
    # capture.js shows the video and voice picture buttons once it has wired them.
    expect(phone.page.get_by_role("button", name="Record my voice")).to_be_visible()


def queued_item(page, title: str):
    """The row of the upload queue on the evidence page for the item with this title."""
    return page.locator("[data-queue] li", has_text=title)


def take_camera_photo(page, title: str, reflection: str = "") -> None:
    """Take a photo with the in-page camera (the fake test pattern) and save it."""
    shoot = page.get_by_role("button", name="Take photo")
    if not shoot.is_visible():  # the preview stays on after the first photo
        page.get_by_role("button", name="Record a video").click()
    # The preview and its button show once the camera plays: a frame is there to draw.
    shoot.click()
    expect(page.get_by_text("Photo ready")).to_be_visible()
    _save(page, title, reflection)


def record_voice(page, title: str, reflection: str = "") -> None:
    """Record about a second of the fake microphone's beep and save it."""
    page.get_by_role("button", name="Record my voice").click()
    expect(page.locator("[data-voice-duration]")).to_have_text("0:01")
    page.get_by_role("button", name="Stop recording").click()
    expect(page.get_by_text("Sound recording ready")).to_be_visible()
    _save(page, title, reflection)


def _save(page, title: str, reflection: str) -> None:
    page.get_by_label("Title").fill(title)
    if reflection:
        page.get_by_label("What did you do, and what did you learn?").fill(reflection)
    page.get_by_role("button", name="Save").click()
    expect(queued_item(page, title)).to_be_visible()


def wait_until_wired(page) -> None:
    """Wait until app.js has loaded and wired this page's feature modules (it marks <html data-wired>)."""
    page.wait_for_selector("html[data-wired]", state="attached")
