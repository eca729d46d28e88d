"""The desktop program (PySide6). The only package that imports Qt, and only through ``qt.py``.

Conventions for every module here:
- ``from desktop.ui.qt import ...`` (never ``PySide6`` directly); ``qconnect(signal, slot)``.
- Views live in ``views/`` and are registered in ``views/__init__.py`` (name, label, factory); each
  is a ``views.base.View`` with ``refresh()`` (reload from the database) and ``retranslate()``.
- Database work that can take long runs through ``ctx.tasks.run(fn, on_done=...)`` (``tasks.py``;
  ``quiet=True`` for a background read a view can drop, e.g. the achievements filter index);
  when data changes, call ``ctx.changed("what")`` so every view refreshes.
- Start-up stays lazy: a view imports what only its actions need (dialogs, reportlab, openpyxl,
  policies, python-stdnum) inside the functions that use them, and paints its first screen from a
  cheap query (``benchmarks/bench_gui.py`` measures it).
- Main-window actions and shortcuts are declared once in ``actions.py``; settings in ``settings.py``.
- Every user-visible string goes through ``_()`` from ``desktop.core.i18n``.
"""
