"""A request's reach into the company's other systems (``PLEDGE_SYSTEMS``).

``work`` queues one task per system when a request is fulfilled (the request
then waits in ``awaiting_systems``); ``channel`` is the delivery-engine kind
that runs a task (retried with back-off while a system is down, never by two
workers at once) and stores what it found; ``resume`` completes the request
once every task is done; ``presence`` verifies a person against connected data
before fulfilment; ``rows`` gives the package what access found.
"""
