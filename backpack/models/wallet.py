"""Badges sent into the learner's own wallet app: the offer a wallet redeems, and each copy issued.

An offer is one QR code's worth: single-use, short-lived, redeemed either through OpenID4VCI
(pre-authorized code, then a bearer token) or through a VC-API exchange (DID Authentication).
Its secrets are stored only as SHA-256 hashes; the interaction token and the transaction code
are also kept sealed, so the learner's page can show the QR code again while it lives.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backpack.extensions import db
from backpack.models.award import Award
from backpack.models.issuer import new_public_id
from backpack.models.time import UTCDateTime, utcnow
from backpack.models.user import User


class WalletProtocol:
    OPENID4VCI = "openid4vci"
    VC_API = "vc-api"


class WalletOffer(db.Model):
    __tablename__ = "wallet_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The interaction URL's token (also names the VC-API exchange and the credential offer).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sealed_token: Mapped[str] = mapped_column(Text)
    pre_authorized_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # OpenID4VCI's optional transaction code, shown on the learner's phone only.
    sealed_tx_code: Mapped[str | None] = mapped_column(Text)
    tx_code_failures: Mapped[int] = mapped_column(Integer, default=0)
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The VC-API exchange's DID Authentication challenge, made by its first POST.
    challenge: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when a wallet took the code or started the exchange: no second wallet may.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(16))
    # Set when the credential went out: the offer is spent.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    award: Mapped[Award] = relationship()
    learner: Mapped[User] = relationship()

    def is_live(self, now: datetime | None = None) -> bool:
        """Tell whether a wallet may still redeem it: not spent, not expired."""
        return self.used_at is None and self.expires_at > (now or utcnow())


class WalletCopy(db.Model):
    """A credential issued into a wallet: bound to the wallet's DID, sharing the award's status entry."""

    __tablename__ = "wallet_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("wallet_offers.id", ondelete="SET NULL"), unique=True)
    holder_did: Mapped[str] = mapped_column(Text)
    protocol: Mapped[str] = mapped_column(String(16))
    # An OpenID4VCI proof's nonce, once: a replayed proof finds it taken.
    proof_nonce: Mapped[str | None] = mapped_column(String(200), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The credential exactly as signed and sent.
    credential_json: Mapped[str] = mapped_column(Text)

    award: Mapped[Award] = relationship()
    offer: Mapped[WalletOffer | None] = relationship()
