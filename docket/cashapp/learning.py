"""Learning bank accounts from confirmed cash applications, so the next payment resolves by account."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import ApplicationDraft
from docket.cashapp.statements.line import StatementLine, normalise_account
from docket.model.masterdata import CrossReference

_CONFIRMED = {"applied", "partial"}


def learned_bank_accounts(confirmed: Iterable[tuple[StatementLine, ApplicationDraft]], ledger: Ledger, *,
                          legal_entity: str, now: datetime, source: str = "cash_application"
                          ) -> list[CrossReference]:
    """New ``bank_account`` cross references from payments applied to a customer.

    A pair yields a record only when the application is ``applied`` or ``partial`` (by the
    matcher above threshold, or confirmed by a reviewer, which the caller vouches for), it names
    a customer, the line carries a payer account, and the ledger does not already know that
    account. An account already mapped to another customer is not remapped (that needs a person).
    One record per account, the first confirmation wins; order follows the input.
    """
    learned: dict[str, CrossReference] = {}
    for line, application in confirmed:
        account = normalise_account(line.payer_account)
        if (application.status not in _CONFIRMED or not application.customer_id or not account
                or account in ledger.accounts or account in learned):
            continue
        learned[account] = CrossReference(legal_entity=legal_entity, system="bank", external_id=account,
                                          kind="bank_account", party_id=application.customer_id,
                                          source=f"{source}:{application.payment_id}", updated_at=now)
    return list(learned.values())
