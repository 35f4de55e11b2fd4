from rest_framework.pagination import PageNumberPagination


class PageNumbers(PageNumberPagination):
    """`?page=2&page_size=50`; a page past the end is a 404 that says why."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "No page '{page_number}' here: {message}."
