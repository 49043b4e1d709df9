"""The tools that run, load, measure and break the system; none of it runs in production.

The operators' command line (``python -m tooling.sausat``, installed as ``.venv/bin/sausat``),
the processes under supervisord (``supervise``, ``supervisor_config``, ``health_watch``; run by
``deploy/services.sh``), the whole system as test processes (``launcher``), the demo registry
(``load_demo``), the developers' mail catcher (``mailcatcher``), the benchmark
(``python -m tooling.bench``) and the fault runs (``python -m tooling.faults``). Their unit tests
sit in ``tooling/tests``. ``deploy/`` keeps the shell scripts and the configuration they read.
"""
