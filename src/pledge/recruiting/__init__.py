"""Recruiting: positions, their applicants, background checks and hires (``docs/recruiting.md``).

An application is a record of the policy's ``employment_application``
category, sent with the careers form; it names its position and says whether
the person wants it kept for future openings (``future_opportunities``).

- :mod:`.applications`: the applications decrypted for the recruiting team, each showing
  audited.
- :mod:`.positions`: opening and closing positions; closing deletes the applications that
  did not ask to be kept and keeps the others for ``career_opportunities``.
- :mod:`.hand_overs`: a background check (a disclosure to the declared processor) and a
  hire (the application written into the employee-record system, then deleted here).
"""
