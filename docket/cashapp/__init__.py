"""Order-to-cash: bank statements and remittances in, cash applications out.

``statements`` turns camt.053/.054, MT940, BAI2 and CSV files into :class:`StatementLine` values
(the fields of a ``PaymentReceived`` event without its envelope); ``matching`` applies each
payment to open receivables: ``candidates`` gathers who may have paid and which items, ``features``
turns each claim's evidence into numbers, ``scorer`` weighs them into a calibrated probability;
``metrics`` summarises the results; ``mail_intent`` classifies what customers write.
Everything here is pure: reference data, FX rates and the clock are passed in.
"""
