"""An example processor: a small CRM that answers Pledge's HTTP systems protocol.

Standard library only, so that it reads as a recipe for a processor written in
any language: check the signature and the timestamp, remember idempotency keys,
act on the person's rows, answer (or call back) with counts. See README.md and
``docs/connectors-http.md``.
"""

from examples.processor.server import Processor, make_server
from examples.processor.store import connect, create_schema

__all__ = ["Processor", "connect", "create_schema", "make_server"]
