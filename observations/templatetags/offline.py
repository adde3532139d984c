from django import template
from django.utils.html import json_script

from observations.offline import client_messages

register = template.Library()


@register.simple_tag
def offline_messages():
    """The texts of static/observations/offline.js, for the page of a signed-in person."""
    return json_script(client_messages(), "offline-messages")
