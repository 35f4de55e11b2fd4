from pages.chrome import site_chrome


def site(request):
    chrome = site_chrome()
    return {
        "site_name": chrome.identity.name,
        "identity": chrome.identity,
        "header_pages": chrome.header,
        "footer_pages": chrome.footer,
    }
