"""English date formats for values rendered without an explicit format (the admin's lists and detail pages).

The app's own pages write "Y-m-d H:i" with "UTC"; here the same, to the second, with the zone named.
"""

DATETIME_FORMAT = "Y-m-d H:i:s T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i:s T"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i:s"
