"""The web pages the gateway serves: their handlers beside their templates, static files and
plain helpers.

Pages are the API's handlers seen through a browser: each page handler calls the same service
RPCs with the same principal the API would (``shared.authorisation``), so a page never shows
what the API would refuse. The handlers, one module per role, each with its ``ROUTES``: what
every page shares (``common``), the cadre's (``cadre``), the officer's (``officer``; assigning
and templates changed in ``officer_desk``), branch meetings planned (``meeting_pages``, with
their plain form logic in ``meeting_forms``), the administrator's (``admin`` reads;
``admin_users``, ``admin_registry``, ``admin_tree``, ``admin_cadres``, ``admin_groups`` edit,
sharing ``admin_base``, with their plain form logic in ``admin_forms``) and the operators' and
administrators' operations (``operations``).
The plain helpers import neither nameko nor a store: words and dates (``i18n``), the session
cookie and CSRF (``session``), and rendering (``render``).
"""
