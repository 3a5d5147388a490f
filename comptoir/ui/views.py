from django.http import HttpRequest, HttpResponse


def login_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


logout_view = ticket_list = ticket_detail = quarantine_list = login_view
