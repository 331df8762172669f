"""Imports from other publishing systems into a Broadsheet site.

Each importer (`wordpress`; later Jekyll, Hugo) reads its system's export into typed
records, then plans the import purely: every file to write, with its text, and every
entry of the report. `common` checks the plan against the site (never overwrite, unless
forced) and writes it in one step. Nothing here runs during a build: the CLI imports
these modules only for `python build.py import`.
"""
