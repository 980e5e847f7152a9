from django.http import HttpRequest, HttpResponse


def hello(request: HttpRequest) -> HttpResponse:
    """Hello, world: the cost of Django and the middleware alone (sessions, user, two-factor check)."""
    return HttpResponse("Hello, world", content_type="text/plain")
