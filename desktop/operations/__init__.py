"""The application's use cases, Qt-free, over one ``Session`` (the open office, the signed-in user,
the clock, progress and cancel). The CLI verbs and the GUI views call these and nothing below them:
every rule (a role, "issued once", "cancel rolls back") holds because there is one path.

One module per area, plain functions taking the session first:

* ``session``  — opening the database, signing in, the office's policy folders, the clock
* ``roles``    — who may do what (DESIGN.md "Roles"), checked here once for every change
* ``records``  — enterprises, achievements, evidence, loading files and workbooks
* ``rounds``   — computing, amounts, submit / approve / return, results
* ``notices``  — issuing, printing, reprints, voiding, verification, drafts and summaries
* ``exchange`` — USB packages: export, verify, import, offices and keys, consolidation
* ``users``, ``settings``, ``measures``, ``overview``, ``targets``, ``audit``, ``backups``

Changing functions check the role, run in one transaction (through the store), write the audit
entry, and return plain results; reads return plain rows the front ends format.
"""
