"""Amazon Braket's spending-limit shapes, member for member as in the ``braket`` service model.

Field names are the API's members in snake_case; the converter spells them in
camelCase both ways. Amounts the service reports are decimal strings and are
read as ``Decimal``, never as floats; the amount a request sends stays the text
the user wrote, checked against the model's pattern.
"""


from datetime import datetime
from decimal import Decimal

import attrs

__all__ = ["CreateSpendingLimitRequest", "SpendingLimit", "TimePeriod", "UpdateSpendingLimitRequest"]


@attrs.frozen(kw_only=True)
class TimePeriod:
    start_at: datetime
    end_at: datetime


@attrs.frozen(kw_only=True)
class CreateSpendingLimitRequest:
    """The keyword arguments of ``boto3.client("braket").create_spending_limit``."""

    client_token: str
    device_arn: str
    spending_limit: str
    time_period: TimePeriod | None = None


@attrs.frozen(kw_only=True)
class UpdateSpendingLimitRequest:
    """The keyword arguments of ``update_spending_limit``."""

    spending_limit_arn: str
    client_token: str
    spending_limit: str | None = None
    time_period: TimePeriod | None = None


@attrs.frozen(kw_only=True)
class SpendingLimit:
    """One ``SpendingLimitSummary`` of ``SearchSpendingLimits``: the limit, and what was spent against it."""

    spending_limit_arn: str
    device_arn: str
    time_period: TimePeriod
    spending_limit: Decimal
    queued_spend: Decimal
    total_spend: Decimal
    created_at: datetime
    updated_at: datetime
    tags: dict[str, str] | None = None
