from zhenxing.orders.tests.conftest import category, member_a1  # noqa: F401
