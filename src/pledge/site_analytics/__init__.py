"""The site's visitor log data (issue #17, point 2): the beacon's page views, minimised.

``beacon`` checks and stores a page view (IP to country, then dropped; user agent
to families), ``aggregates`` publishes daily counts of groups of at least k,
``retention`` deletes page views past the policy's period and keeps their aggregates.
See ``docs/site-analytics.md``.
"""

from pledge.site_analytics.aggregates import DIMENSIONS, Analytics, Group, published, roll_up
from pledge.site_analytics.beacon import BeaconIn, record_page_view
from pledge.site_analytics.retention import expire_page_views

__all__ = [
    "DIMENSIONS",
    "Analytics",
    "BeaconIn",
    "Group",
    "expire_page_views",
    "published",
    "record_page_view",
    "roll_up",
]
