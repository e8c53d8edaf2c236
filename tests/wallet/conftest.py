"""A learner with a badge, wallets' keys, and the app served over HTTP for the Node wallets."""
import base64
import io
import re
import threading
import time
import warnings
from dataclasses import dataclass

import pytest
import resvg_py
import zxingcpp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import got_request_exception
from joserfc import jwt
from joserfc.jwk import ECKey, OKPKey
from PIL import Image
from werkzeug.serving import make_server

from backpack.auth import invites
from backpack.credentials import keys, proof
from backpack.extensions import db, limiter
from backpack.issuing import awarding
from backpack.issuing.achievements import create_achievement
from backpack.issuing.issuers import create_issuer
from backpack.models import Award, Classroom, Enrolment, Role, User
from backpack.wallet import holder
from tests.conftest import Actor, build_app, new_client, tiny_png
from tests.support.authenticator import SoftPasskey
from tests.support.empty_database import copy_tables

ISSUER = "https://localhost"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Wallet:
    """A wallet's key: its DID, and how it signs a jwt proof of possession."""

    did: str
    kid: str
    alg: str
    jose_key: object

    def proof(self, nonce, *, aud=ISSUER, iat=None, typ=holder.PROOF_TYP, header=None) -> str:
        """Return a jwt proof (OpenID4VCI Appendix F.1) over our nonce, signed with this wallet's key."""
        claims = {"aud": aud, "iat": int(time.time()) if iat is None else iat}
        if nonce is not None:
            claims["nonce"] = nonce
        header = header or {"alg": self.alg, "typ": typ, "kid": self.kid}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc flags "EdDSA" as superseded by "Ed25519" (RFC 9864)
            return jwt.encode(header, claims, self.jose_key, algorithms=[header["alg"]])


def ed25519_wallet() -> Wallet:
    key = keys.generate_key()
    jose_key = OKPKey.import_key(key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return Wallet(key.did, key.verification_method, "EdDSA", jose_key)


def p256_jwk_wallet() -> Wallet:
    """A wallet that names its P-256 key by did:jwk."""
    private = ec.generate_private_key(ec.SECP256R1())
    jose_key = ECKey.import_key(private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    did = holder.did_jwk_of(jose_key.as_dict(private=False))
    return Wallet(did, did + "#0", "ES256", jose_key)


@pytest.fixture
def wallet():
    return ed25519_wallet()


@dataclass
class Learner:
    actor: Actor
    user: User
    award: Award
    teacher: User


def _badge_for(learner: User, teacher: User, *, name="Safe welding") -> Award:
    issuer = create_issuer("Riverside Adult School", members=[teacher], url="https://riverside.example")
    badge = create_achievement(
        issuer, by=teacher, name=name, description="Welds safely in the workshop.",
        criteria="Weld a joint that passes inspection.", image_png=tiny_png(),
        translations={"es": {"name": "Soldadura segura"}},
    )
    db.session.commit()
    award = awarding.award(badge, [learner], by=teacher, note="Welded the test joint.",
                           evidence_url="https://riverside.example/portfolio/amina").created[0]
    db.session.commit()
    return award


def _class_of(teacher: User, learner: User) -> None:
    classroom = Classroom(name="Welding A", teacher_id=teacher.id)
    db.session.add(classroom)
    db.session.flush()
    db.session.add(Enrolment(classroom_id=classroom.id, learner_id=learner.id))
    db.session.commit()


def _people(language=None) -> tuple[User, User]:
    teacher = User(display_name="Ms Okafor", role=Role.TEACHER.value)
    learner = User(display_name="Amina", role=Role.LEARNER.value, preferred_language=language)
    db.session.add_all([teacher, learner])
    db.session.commit()
    _class_of(teacher, learner)
    return teacher, learner


def _signed_in(app, user: User, origin: str) -> Actor:
    actor = Actor(new_client(app), user)
    actor.passkey = SoftPasskey(origin)
    token = invites.issue(user, created_by=None)
    db.session.commit()
    response = actor.register_with_invite(token)
    assert response.status_code == 200, response.get_data(as_text=True)
    return actor


@pytest.fixture
def learner(app) -> Learner:
    """Amina, signed in, with a badge from her teacher (with a note and an evidence link)."""
    teacher, user = _people()
    return Learner(_signed_in(app, user, ISSUER), user, _badge_for(user, teacher), teacher)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def make_offer(actor: Actor, award: Award, *, ask_code=False) -> str:
    """Make an offer through the learner's pages; return the offer page's HTML."""
    page = actor.client.get(f"/my/badges/{award.public_id}/wallet")
    assert page.status_code == 200
    data = {"csrf_token": csrf_of(page.get_data(as_text=True))}
    if ask_code:
        data["ask_code"] = "y"
    made = actor.client.post(f"/my/badges/{award.public_id}/wallet", data=data)
    assert made.status_code == 302, made.get_data(as_text=True)
    shown = actor.client.get(made.headers["Location"])
    assert shown.status_code == 200
    return shown.get_data(as_text=True)


def read_qr(html: str) -> str:
    """Decode the QR code the page shows (its inline SVG, rendered to pixels) with zxing-cpp."""
    svg = re.search(r"<figure class=\"qr\"[^>]*>(<svg.*?</svg>)", html, re.S).group(1)
    # Sized by its viewBox alone: resvg reads no millimetres.
    svg = re.sub(r' width="[^"]+" height="[^"]+"', "", svg, count=1)
    png = bytes(resvg_py.svg_to_bytes(svg_string=svg, width=600, height=600, background="white"))
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(codes) == 1, f"expected one QR code, found {len(codes)}"
    return codes[0].text


class LiveServer:
    """The app served over HTTP on loopback, for wallets that run in another process."""

    def __init__(self, app, server):
        self.app, self.server = app, server
        self.origin = f"http://localhost:{server.server_port}"
        self.errors = []


@pytest.fixture
def live(tmp_path):
    """Serve a fresh app; its origin is the server's own, so signed URLs (status lists) resolve."""
    app = build_app(tmp_path, SERVER_NAME=None, PREFERRED_URL_SCHEME="http")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(app, server)
    app.config["BACKPACK_ORIGIN"] = live.origin
    got_request_exception.connect(lambda sender, exception, **extra: live.errors.append(exception), app, weak=False)
    thread = threading.Thread(target=server.serve_forever, name="wallet-live-server", daemon=True)
    with app.app_context():
        if not copy_tables(db.engine):
            db.create_all()
        limiter.reset()
        thread.start()
        yield live
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        db.session.remove()
        db.engine.dispose()
    assert live.errors == [], "the server raised while a wallet used it"


@pytest.fixture
def live_learner(live) -> Learner:
    """Amina on the live server (reading Spanish), signed in through the test client."""
    teacher, user = _people(language="es")
    return Learner(_signed_in(live.app, user, live.origin), user, _badge_for(user, teacher), teacher)



def did_auth(key: keys.IssuerKey, challenge: str, domain: str, *, holder_did: str | None = None) -> dict:
    """Return a DID Authentication presentation with an eddsa-rdfc-2022 proof made for authentication."""
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder_did or key.did,
    }
    options = {
        "type": "DataIntegrityProof",
        "created": proof.timestamp(),
        "verificationMethod": key.verification_method,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "authentication",
        "challenge": challenge,
        "domain": domain,
    }
    data = proof.signing_input(presentation, options).data
    return {**presentation, "proof": [{**options, "proofValue": keys.multibase_encode(key.private_key.sign(data))}]}
