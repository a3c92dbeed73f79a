"""Connected systems: the company's other databases and processors that requests reach.

``spec`` is the file's form, ``load`` reads it, ``base`` is the contract every
connector keeps (databases in ``sql``, processors' APIs in ``http``).
"""
