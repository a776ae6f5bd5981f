from typing import Any

from django import template

from renovation.figures import format_percent, format_wan_yuan, format_yuan, yuan_in_capitals

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    return format_yuan(value)


@register.filter
def yuan_capitals(value: Any) -> str:
    """The amount in financial capitals (大写金额), e.g. beside a sealed bid."""
    return yuan_in_capitals(value)


@register.filter
def wan_yuan(value: Any) -> str:
    return format_wan_yuan(value)


@register.filter
def percent(value: Any) -> str:
    """A progress figure as "42.5%"; whole numbers lose their decimals."""
    return format_percent(value)


@register.filter
def css_percent(value: Any) -> str:
    """A number as a CSS width, locale-proof (always a dot, never a comma)."""
    try:
        number = max(0.0, min(100.0, float(value)))
    except (TypeError, ValueError):
        number = 0.0
    return f"{number:.2f}%"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """Look up a key in a dict from a template (e.g. a page URL by project id)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
