"""``{% constant %}``: a part of the page frame rendered once per process, language and values.

Every public page shares its frame (renovation/public/templates/public/base.html): the menu, the
footer, links to the stylesheet and scripts. Most of it depends on nothing but the language and the
site's settings, yet each page paid for its URL reversals, static paths and translations again.
A ``{% constant a b %}...{% endconstant %}`` block is rendered the first time, then served as
rendered while the active language, the script prefix and the values of ``a`` and ``b`` are the same: a block names
every variable it shows. It must show nothing of the visitor or the request (those parts of the
frame stay outside, rendered fresh for everyone) and hold no ``{% block %}``. The memo lives on
the compiled template, so a template reloaded in development starts afresh.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# A bound per block: the values a block names are settings, so a handful of keys at most.
LIMIT = 64


class ConstantNode(template.Node):
    def __init__(self, nodelist: NodeList, names: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.names = names
        self.rendered: dict[tuple[Any, ...], SafeString] = {}

    def render(self, context: template.Context) -> SafeString:
        # {% url %} and {% static %} inside follow the script prefix (a site served under a path).
        key = (
            translation.get_language(),
            get_script_prefix(),
            context.autoescape,
            *(name.resolve(context) for name in self.names),
        )
        html = self.rendered.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context))  # the template engine escaped it
            if len(self.rendered) >= LIMIT:
                self.rendered.clear()
            self.rendered[key] = html
        return html


@register.tag("constant")
def constant(parser: Parser, token: Token) -> ConstantNode:
    names = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    return ConstantNode(nodelist, names)
