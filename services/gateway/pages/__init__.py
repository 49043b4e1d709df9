"""The web pages the gateway serves: templates, static files and their plain helpers.

Pages are the API's handlers seen through a browser: each page handler calls the same service
RPCs with the same principal the API would (``shared.authorisation``), so a page never shows
what the API would refuse. What is here imports neither nameko nor a store: words and dates
(``i18n``), the session cookie and CSRF (``session``), and rendering (``render``).
"""
