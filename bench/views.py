"""The benchmark's yardstick: the smallest real page (session, login, one query, a 50-row table).

Served only when `BENCH_MINIMAL_VIEW=1` (see `arras_quartiers/urls.py`); every page of the
benchmark is reported as a ratio to this one, so figures compare across machines.
"""

from django.http import HttpResponse
from django.template import engines

from observations.permissions import observations_visible_to

TEMPLATE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Référence</title></head>
<body><main><table><caption>Dernières observations</caption>
<thead><tr><th scope="col">N°</th><th scope="col">Titre</th><th scope="col">Observée le</th></tr></thead>
<tbody>{% for pk, title, observed_at in rows %}<tr><td>{{ pk }}</td><td>{{ title }}</td><td>{{ observed_at|date:"d/m/Y H:i" }}</td></tr>{% endfor %}</tbody>
</table></main></body></html>"""

_template = None


def minimal(request):
    global _template
    if _template is None:
        _template = engines["django"].from_string(TEMPLATE)
    rows = (
        observations_visible_to(request.user)
        .order_by("-id")
        .values_list("pk", "title", "observed_at")[:50]
    )
    return HttpResponse(_template.render({"rows": rows}, request))
