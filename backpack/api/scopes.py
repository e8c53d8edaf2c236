"""The four Open Badges 3.0 API scopes, as platforms ask for them and as learners read them."""
from flask_babel import lazy_gettext as _l

PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READ = PREFIX + "credential.readonly"
CREDENTIAL_UPSERT = PREFIX + "credential.upsert"
PROFILE_READ = PREFIX + "profile.readonly"
PROFILE_UPDATE = PREFIX + "profile.update"
ALL = (CREDENTIAL_READ, CREDENTIAL_UPSERT, PROFILE_READ, PROFILE_UPDATE)

# For machines (the discovery document), in the specification's words.
DESCRIPTIONS = {
    CREDENTIAL_READ: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: "Permission to create or update AchievementCredentials for the authenticated entity.",
    PROFILE_READ: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}

# For the learner on the consent and platforms pages: what the platform may do, in plain words.
PLAIN = {
    CREDENTIAL_READ: _l("See the badges in your backpack"),
    CREDENTIAL_UPSERT: _l("Add badges to your backpack"),
    PROFILE_READ: _l("See your name"),
    PROFILE_UPDATE: _l("Change your name"),
}


def plain(scope: str) -> list:
    """Return what a space-separated scope lets a platform do, in the learner's language."""
    return [PLAIN[item] for item in ALL if item in scope.split()]
