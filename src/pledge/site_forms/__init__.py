"""The site's forms, the collection points the policy declares (``site.forms``).

- :mod:`.spam`: the signed token a form is issued with (minimum fill time) and the honeypot.
- :mod:`.uploads`: a file checked by its content (PDF, DOCX), never by its name.
- :mod:`.intake`: a submission checked against its form, every problem at once.
- :mod:`.submit`: consent answers to the ledger, the record, the confirmation mail.
- :mod:`.describe`: a form as ``GET /api/v1/forms`` shows it.
"""
