"""Village ledgers (台账). Every ledger is append-only: see ``base.Entry``.

One module per ledger; each is imported here so Django finds its models.
"""

from zhenxing.ledgers.models.base import Entry  # noqa: F401
from zhenxing.ledgers.models.books import *  # noqa: F403
from zhenxing.ledgers.models.incidents import *  # noqa: F403
from zhenxing.ledgers.models.income import *  # noqa: F403
from zhenxing.ledgers.models.meetings import *  # noqa: F403
from zhenxing.ledgers.models.points import *  # noqa: F403
from zhenxing.ledgers.models.ratings import *  # noqa: F403
from zhenxing.ledgers.models.talent import *  # noqa: F403
