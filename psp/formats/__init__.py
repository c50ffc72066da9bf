"""The project's date formats, one per kind of date, per interface language.

Django reads these modules through ``FORMAT_MODULE_PATH``; templates and code reach them only
through the kinds named in ``psp.dates`` (``{{ day|when:"date" }}``), never by a format string.
A language without a module here is shown in the English formats (see ``psp.dates``).
"""
