"""EN 16931 e-invoices: UBL 2.1 and CII (D16B, ZUGFeRD 1.0) XML read into business terms, the XML
a hybrid PDF carries, the schema and the EN 16931 business rules as data."""
