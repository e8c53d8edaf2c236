"""Wallet copies: the award's credential issued again, to the wallet's DID.

The copy is the stored credential with a new id and credentialSubject.id set to the holder's
DID, signed afresh by the issuer: the same achievement, dates, evidence links and status entry,
so revoking the award revokes the copy too. The backpack's own copy is never touched.
"""
import json

from sqlalchemy.exc import IntegrityError

from backpack.credentials import proof
from backpack.extensions import db
from backpack.issuing import issuers
from backpack.models import Award, User, WalletCopy, WalletOffer
from backpack.models.issuer import new_public_id
from backpack.models.time import utcnow
from backpack.wallet import offers


class AlreadyIssued(Exception):
    """Another request spent the same offer or nonce at the same moment; nothing was stored."""


class CopyRefused(Exception):
    """The badge cannot go to a wallet now (revoked or expired since the offer was made)."""

    def __init__(self, description):
        super().__init__(str(description))
        self.description = description


def bound_credential(award: Award, holder_did: str, copy_id: str) -> dict:
    """Return the award's credential re-issued to the holder's DID, signed by the issuer."""
    unsigned = {key: value for key, value in json.loads(award.credential_json).items() if key != "proof"}
    unsigned["id"] = f"urn:uuid:{copy_id}"
    subject = {key: value for key, value in unsigned["credentialSubject"].items() if key != "id"}
    unsigned["credentialSubject"] = {"id": holder_did, **subject}
    key = issuers.signing_key(award.issuer)
    return proof.sign(unsigned, key, key.verification_method)


def issue(offer: WalletOffer, holder_did: str, protocol: str, *, nonce: str | None = None) -> WalletCopy:
    """Sign and store the copy for the offer's wallet, and spend the offer; the caller commits."""
    award = offer.award
    if award.is_revoked:
        raise CopyRefused(offers.REVOKED)
    if award.is_expired():
        raise CopyRefused(offers.EXPIRED)
    public_id = new_public_id()
    credential = bound_credential(award, holder_did, public_id)
    copy = WalletCopy(
        public_id=public_id,
        award=award,
        offer=offer,
        holder_did=holder_did,
        protocol=protocol,
        proof_nonce=nonce,
        issued_at=utcnow(),
        credential_json=json.dumps(credential, ensure_ascii=False, separators=(",", ":")),
    )
    offer.used_at = copy.issued_at
    try:
        # The unique offer and nonce columns decide a race; the savepoint keeps the caller's work.
        with db.session.begin_nested():
            db.session.add(copy)
    except IntegrityError:
        raise AlreadyIssued() from None
    return copy


def nonce_used(nonce: str) -> bool:
    """Tell whether a proof with this nonce already got a credential."""
    return db.session.scalar(db.select(WalletCopy.id).where(WalletCopy.proof_nonce == nonce)) is not None


def copies_of(learner: User) -> list[WalletCopy]:
    """Return the copies of the learner's badges sent to wallets, newest first."""
    return list(
        db.session.scalars(
            db.select(WalletCopy)
            .join(Award, WalletCopy.award_id == Award.id)
            .where(Award.learner_id == learner.id)
            .order_by(WalletCopy.issued_at.desc(), WalletCopy.id.desc())
        )
    )
