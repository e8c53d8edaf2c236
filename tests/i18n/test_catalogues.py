"""The translation catalogues are complete, current and compiled, and the app uses them.

When one of these fails after you added or changed a string, run the commands in the
README's "Translations" section: extract, update, translate, compile.
"""
import gettext
import io
import re
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from markupsafe import escape

from backpack import config

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "backpack" / "translations"
POT = TRANSLATIONS / "messages.pot"

# The same extraction the README documents (run from the repository root).
EXTRACT_OPTIONS = ["-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "--no-location", "--sort-output"]

REFRESH = (
    "Refresh the catalogues from the repository root:\n"
    "  .venv/bin/pybabel extract " + " ".join(EXTRACT_OPTIONS)
    + " --project Backpack -o backpack/translations/messages.pot .\n"
    "  .venv/bin/pybabel update -i backpack/translations/messages.pot -d backpack/translations\n"
    "then translate the new entries (no fuzzy ones) and run\n"
    "  .venv/bin/pybabel compile -d backpack/translations"
)

# A named placeholder such as %(name)s or %(num)d (Flask-Babel formats with keywords only).
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

# CLDR plural categories in the order gettext plural forms list them.
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


def _settings() -> dict:
    with tempfile.TemporaryDirectory() as instance:
        return config.load(Path(instance))


SETTINGS = _settings()
TRANSLATED = sorted(code for code in SETTINGS["LANGUAGES"] if code != SETTINGS["BABEL_DEFAULT_LOCALE"])


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def mo_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo"


def load_po(path: Path, lang: str | None = None):
    """Read a catalogue; a malformed entry (say, an extra plural form) is an error, not a warning."""
    with path.open("rb") as f:
        return read_po(f, locale=lang, abort_invalid=True)


@cache
def catalogue(lang: str):
    path = po_path(lang)
    if not path.exists():
        pytest.fail(
            f"{lang!r} is in LANGUAGES but has no catalogue at {path.relative_to(ROOT)}. Create it with\n"
            f"  .venv/bin/pybabel init -i backpack/translations/messages.pot -d backpack/translations -l {lang}"
        )
    return load_po(path, lang)


def key(message) -> tuple:
    """Identify a message as gettext does: by context and msgid (a tuple for plurals)."""
    ids = tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id
    context = message.context.decode() if isinstance(message.context, bytes) else message.context
    return context, ids


def describe(k: tuple) -> str:
    context, ids = k
    text = f"{ids[0]!r} (plural {ids[1]!r})" if isinstance(ids, tuple) else repr(ids)
    return f"[{context}] {text}" if context else text


def fail(message: str) -> None:
    """Fail with just the message: the list of strings is the useful part."""
    pytest.fail(message, pytrace=False)


def listing(keys) -> str:
    return "\n".join("  " + describe(k) for k in sorted(keys, key=describe))


def messages(cat) -> dict:
    return {key(m): m for m in cat if m.id}


@cache
def strings_in_code() -> frozenset:
    """Extract the code's strings now, exactly as the README's command does."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "messages.pot"
        result = subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", *EXTRACT_OPTIONS, "-o", str(out), "."],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"pybabel extract failed:\n{result.stderr}"
        return frozenset(messages(load_po(out)))


def translations_of(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def test_babel_config_and_template_exist():
    assert (ROOT / "babel.cfg").is_file()
    assert POT.is_file(), f"{POT.relative_to(ROOT)} is missing.\n{REFRESH}"


def test_template_has_every_string_in_the_code():
    missing = strings_in_code() - set(messages(load_po(POT)))
    if missing:
        fail(
            f"{len(missing)} string(s) in the code are not in backpack/translations/messages.pot:\n"
            f"{listing(missing)}\n{REFRESH}"
        )


def test_template_has_no_strings_removed_from_the_code():
    stale = set(messages(load_po(POT))) - strings_in_code()
    if stale:
        fail(
            f"{len(stale)} string(s) in backpack/translations/messages.pot are no longer in the code:\n"
            f"{listing(stale)}\n{REFRESH}"
        )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_has_every_string_in_the_code(lang):
    missing = strings_in_code() - set(messages(catalogue(lang)))
    if missing:
        fail(
            f"{len(missing)} string(s) in the code are missing from {po_path(lang).relative_to(ROOT)}:\n"
            f"{listing(missing)}\n{REFRESH}"
        )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_entry_is_translated_and_none_is_fuzzy(lang):
    cat = catalogue(lang)
    assert not cat.fuzzy, f"the header of {po_path(lang).relative_to(ROOT)} is marked fuzzy"
    untranslated = [k for k, m in messages(cat).items() if not all(translations_of(m))]
    fuzzy = [k for k, m in messages(cat).items() if m.fuzzy]
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated (or missing a plural form):\n{listing(untranslated)}")
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy (check the translation, then delete the '#, fuzzy' line):\n{listing(fuzzy)}")
    if problems:
        fail(f"{po_path(lang).relative_to(ROOT)}: " + "\n".join(problems) + f"\n{REFRESH}")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_entries_have_one_form_per_plural_category(lang):
    cat = catalogue(lang)
    wrong = {k: len(m.string) for k, m in messages(cat).items() if m.pluralizable and len(m.string) != cat.num_plurals}
    assert not wrong, f"{lang}: Plural-Forms says nplurals={cat.num_plurals}, but these entries differ: {wrong}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang):
    problems = []
    for k, message in messages(catalogue(lang)).items():
        ids = message.id if message.pluralizable else [message.id]
        wanted = set().union(*(placeholders(i) for i in ids))
        for index, text in enumerate(translations_of(message)):
            if not text:
                continue  # reported as untranslated
            got = placeholders(text)
            form = f" msgstr[{index}]" if message.pluralizable else ""
            if wanted - got:
                problems.append(f"  {describe(k)}{form} lacks {sorted(wanted - got)}: {text!r}")
            if got - wanted:
                problems.append(f"  {describe(k)}{form} has unknown {sorted(got - wanted)}: {text!r}")
    if problems:
        fail(f"{po_path(lang).relative_to(ROOT)}: placeholders must match the msgid exactly:\n" + "\n".join(problems))


def compiled(cat) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, cat)
    return buffer.getvalue()


@pytest.mark.parametrize("lang", TRANSLATED)
def test_plural_forms_follow_cldr(lang):
    """Plural-Forms must number CLDR's categories in CLDR order (Babel's default for ar does not)."""
    cat = catalogue(lang)
    choose = gettext.GNUTranslations(io.BytesIO(compiled(cat))).plural
    rule = Locale.parse(lang).plural_form
    numbers = list(range(0, 1200)) + [10_000, 10_001, 10_011, 100_002, 100_103]
    tags = sorted({rule(n) for n in numbers}, key=CLDR_ORDER.index)
    expected = {n: tags.index(rule(n)) for n in numbers}
    wrong = {n: (choose(n), rule(n)) for n in numbers if choose(n) != expected[n]}
    if cat.num_plurals != len(tags) or wrong:
        fail(
            f"{po_path(lang).relative_to(ROOT)}: 'Plural-Forms: {cat.plural_forms}' does not follow CLDR, "
            f"which has {len(tags)} forms for whole numbers, in the order {tags}.\n"
            f"Wrong form for (n: (form, CLDR category)): {dict(list(wrong.items())[:8])}\n"
            "Fix the Plural-Forms header (pybabel init's default for Arabic is wrong), then reorder the "
            "msgstr[] forms to match and recompile."
        )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_committed_mo_is_compiled_from_the_po(lang, tmp_path):
    path = mo_path(lang)
    assert path.exists(), f"{path.relative_to(ROOT)} is missing. Run: .venv/bin/pybabel compile -d backpack/translations"
    fresh_path = tmp_path / "messages.mo"
    fresh_path.write_bytes(compiled(catalogue(lang)))
    with path.open("rb") as f:
        committed = read_mo(f)
    with fresh_path.open("rb") as f:
        fresh = read_mo(f)

    def table(cat):
        return {k: tuple(translations_of(m)) for k, m in messages(cat).items()}

    old, new = table(committed), table(fresh)
    changed = {k for k in old.keys() & new.keys() if old[k] != new[k]}
    differences = {
        "only in the .po": new.keys() - old.keys(),
        "only in the .mo": old.keys() - new.keys(),
        "translated differently": changed,
    }
    report = "\n".join(f" {what}:\n{listing(keys)}" for what, keys in differences.items() if keys)
    if committed.plural_forms != fresh.plural_forms:
        report += f"\n Plural-Forms: .mo has {committed.plural_forms!r}, .po has {fresh.plural_forms!r}"
    if report:
        fail(
            f"{path.relative_to(ROOT)} is out of date with its .po:\n{report}\n"
            "Run: .venv/bin/pybabel compile -d backpack/translations"
        )


def translated(lang: str, msgid: str) -> str:
    message = catalogue(lang).get(msgid)
    assert message is not None, f"{msgid!r} is not in the {lang} catalogue; has the sign-in page changed?"
    return message.string


# The heading and the passkey button of templates/auth/signin.html.
SIGNIN_TEXT = ("Sign in", "Sign in with a passkey")


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("es", "ltr")])
def test_signin_page_speaks_the_chosen_language(client, lang, direction):
    client.set_cookie("lang", lang)
    response = client.get("/signin")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f"<h1>{escape(translated(lang, 'Sign in'))}</h1>" in html
    for msgid in SIGNIN_TEXT:
        assert f">{escape(translated(lang, msgid))}<" in html
        assert f">{escape(msgid)}<" not in html


def test_signin_page_in_arabic_is_arabic_script(client):
    client.set_cookie("lang", "ar")
    html = client.get("/signin").get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert re.fullmatch(r"[\u0600-\u06ff ]+", heading), heading
