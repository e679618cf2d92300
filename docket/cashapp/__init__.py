"""Order-to-cash: bank statements and remittances in, cash applications out.

``statements`` turns camt.053/.054, MT940, BAI2 and CSV files into :class:`StatementLine` values
(the fields of a ``PaymentReceived`` event without its envelope); ``matching`` applies each
payment to open receivables with evidence and a confidence; ``metrics`` summarises the results.
Everything here is pure: reference data, FX rates and the clock are passed in.
"""
