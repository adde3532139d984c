from django.http import Http404


def observation_list(request):
    raise Http404


def observation_detail(request, pk):
    raise Http404


def photo(request, pk, photo_pk):
    raise Http404


def photo_thumbnail(request, pk, photo_pk):
    raise Http404
