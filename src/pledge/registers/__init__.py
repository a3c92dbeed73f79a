"""The privacy officer's registers: legal requests, business transfers, breaches.

Each register is evidence for one promise of the policy: disclosure to public
authorities only on lawful request (:mod:`~pledge.registers.legal_requests`),
notice to the people affected by a business transfer
(:mod:`~pledge.registers.transfers`), and a breach handled within the law's
72 hours (:mod:`~pledge.registers.breaches`). Notices to the people affected
go out in bounded, resumable batches (:mod:`~pledge.registers.notices`);
each register is kept as long as the policy's ``registers`` section says
(:mod:`~pledge.registers.retention`).
"""
