"""Compile the app's URL builders and templates once per test run, not once per app.

Every test builds a fresh app (tests/conftest.py), and each fresh app would compile again
the same Python code: two small functions per URL rule (Werkzeug) and every template it
renders (Jinja), most of a short test's time. The compiled code depends only on what it
is compiled from, so an app reuses what an earlier app compiled from the same source.
tests/test_fast_setup.py proves the reused code equal to freshly compiled code.
"""
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing.rules import Rule

_compile_builder = Rule._compile_builder
_builders: dict[tuple, object] = {}


def _reuse_builder(self: Rule, append_unknown: bool = True):
    """A rule's URL builder reads its converters through the rule it is bound to: reusable."""
    defaults = self.defaults or {}
    if any(is_dynamic and part in defaults for is_dynamic, part in self._trace):
        # A default's value is written into the function as text: compile it afresh.
        return _compile_builder(self, append_unknown)
    key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


class TemplatesInMemory(BytecodeCache):
    """Jinja's own cache of compiled templates, kept in memory and shared by the run's apps.

    A template's code is reused only for the same source (Jinja checks its checksum) compiled
    by an environment set up the same way (the settings that shape the generated code).
    """

    def __init__(self):
        self.code: dict[str, tuple[str, object]] = {}

    def get_bucket(self, environment, name, filename, source) -> Bucket:
        key = f"{self.get_cache_key(name, filename)}:{hash(_code_shaping(environment, name))}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self.code.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = (bucket.checksum, bucket.code)


def _code_shaping(environment, name) -> tuple:
    """The environment's settings that Jinja's code generator reads."""
    autoescape = environment.autoescape(name) if callable(environment.autoescape) else environment.autoescape
    return (
        autoescape,
        environment.optimized,
        environment.is_async,
        getattr(environment, "newstyle_gettext", None),
        getattr(environment.finalize, "__qualname__", environment.finalize),
        environment.lexer,
        tuple(sorted(environment.extensions)),
        environment.sandboxed,
        environment.undefined,
        environment.policies.get("ext.i18n.trimmed"),
        tuple(sorted((key, getattr(f, "jinja_pass_arg", None)) for key, f in environment.filters.items())),
        tuple(sorted((key, getattr(t, "jinja_pass_arg", None)) for key, t in environment.tests.items())),
    )


templates = TemplatesInMemory()
_jinja_options = Flask.jinja_options


def pytest_configure(config):
    Rule._compile_builder = _reuse_builder
    Flask.jinja_options = {**_jinja_options, "bytecode_cache": templates}


def pytest_unconfigure(config):
    Rule._compile_builder = _compile_builder
    Flask.jinja_options = _jinja_options
