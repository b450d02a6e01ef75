"""/api/v1/ledgers: the API twins of the ledger pages, one sub-router per ledger."""

from ninja import Router

router = Router(tags=["ledgers"])

# Each ledger's sub-router (imported after ``router`` exists: they share helpers of this package).
from zhenxing.api.ledgers import books, points, ratings  # noqa: E402

router.add_router("", books.router)
router.add_router("", ratings.router)
router.add_router("", points.router)

from zhenxing.api.ledgers import incidents, income, meetings, talent  # noqa: E402

router.add_router("", meetings.router)
router.add_router("", income.router)
router.add_router("", incidents.router)
router.add_router("", talent.router)
