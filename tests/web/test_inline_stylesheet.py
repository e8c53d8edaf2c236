"""The stylesheet inlined in the public pages: smaller, with the same rules."""
from backpack.config import ROOT
from backpack.web.templating import minify_css, public_stylesheet


def test_minifying_drops_comments_and_spaces_but_keeps_descendant_combinators():
    css = '/* why */\n[dir="rtl"] :is(.a, .b) { transform: scaleX(-1); }\n.card > summary { gap: 0.5rem; }\n'
    assert minify_css(css) == '[dir="rtl"] :is(.a,.b){transform:scaleX(-1)}.card>summary{gap:0.5rem}'


def test_the_public_stylesheet_keeps_every_rule_of_core_css():
    source = (ROOT / "static" / "css" / "core.css").read_text()
    inlined = str(public_stylesheet())
    assert len(inlined) < len(source)
    assert inlined.count("{") == source.count("{") and inlined.count("}") == source.count("}")
    assert '[dir="rtl"] :is(' in inlined
