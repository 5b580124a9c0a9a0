"""What a text field may hold, for the API's schemas and the lists' filters alike.

Never C0 controls (but tab and newlines in multi-line text) nor DEL: no keyboard types them, and
PostgreSQL cannot store NUL.
"""

SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
