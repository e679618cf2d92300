"""Where each EN 16931 business term stands in each syntax: the data the reader walks.

One :class:`Syntax` per supported XML syntax (UN/CEFACT CII D16B — Factur-X / ZUGFeRD 2.x and
XRechnung CII —, ZUGFeRD 1.0's CII draft, UBL 2.1 Invoice and CreditNote — XRechnung UBL and
Peppol BIS Billing 3.0 —). Each term is ``(field name, business term id, path)``; paths are XPath
relative to their scope node, with the prefixes of :attr:`Syntax.namespaces`. Scopes: the
header (from the root), the VAT breakdown (BG-23), the document-level allowances and charges
(BG-20/BG-21, business term ids given as ``allowance/charge``) and the lines (BG-25).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Spec = tuple[str, str, str]

# Kinds of value, by field name (everything else is text).
AMOUNT_FIELDS = frozenset({
    "line_total", "allowance_total", "charge_total", "net_total", "tax_total", "tax_total_accounting", "total",
    "prepaid_amount", "rounding_amount", "amount_due", "base", "amount", "net_price", "gross_price",
    "price_discount", "quantity", "price_base_quantity", "rate", "tax_rate", "percent", "line_allowance",
    "line_charge",
})
DATE_FIELDS = frozenset({"invoice_date", "due_date", "delivery_date", "amends_date"})
# Amounts that exist once per currency: the one in the invoice currency (BT-5) is the term.
IN_INVOICE_CURRENCY = frozenset({"tax_total"})
IN_TAX_CURRENCY = frozenset({"tax_total_accounting"})


@dataclass(frozen=True)
class Syntax:
    """The paths of one syntax. ``root`` is the root element's prefixed name."""

    name: str
    root: str
    namespaces: dict[str, str]
    header: tuple[Spec, ...]
    vat: str
    vat_terms: tuple[Spec, ...]
    allowances: str
    allowance_terms: tuple[Spec, ...]
    charge_indicator: str
    lines: str
    line_terms: tuple[Spec, ...]
    line_allowances: str
    line_allowance_amount: str
    line_charge_indicator: str
    credit_note_root: bool = False
    logistics: str | None = None
    logistics_terms: tuple[Spec, ...] = field(default_factory=tuple)


_CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
_ZF1_NS = {
    "rsm": "urn:ferd:CrossIndustryDocument:invoice:1p0",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:12",
}
_UBL_COMMON = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"


def _cii_party(prefix: str, party: str, ids: dict[str, str],
               vat_reg: str = "ram:SpecifiedTaxRegistration") -> list[Spec]:
    """The party terms of a CII trade party at ``party`` (``ids`` maps field suffix to BT id)."""
    address = f"{party}/ram:PostalTradeAddress"
    specs = [
        (f"{prefix}_name", ids["name"], f"{party}/ram:Name"),
        (f"{prefix}_id", ids["id"], f"{party}/ram:ID"),
        (f"{prefix}_global_id", ids["id"], f"{party}/ram:GlobalID"),
        (f"{prefix}_legal_id", ids["legal_id"], f"{party}/ram:SpecifiedLegalOrganization/ram:ID"),
        (f"{prefix}_vat_id", ids["vat_id"], f"{party}/{vat_reg}/ram:ID[@schemeID='VA']"),
        (f"{prefix}_street", ids["street"], f"{address}/ram:LineOne"),
        (f"{prefix}_street_2", ids["street_2"], f"{address}/ram:LineTwo"),
        (f"{prefix}_city", ids["city"], f"{address}/ram:CityName"),
        (f"{prefix}_postcode", ids["postcode"], f"{address}/ram:PostcodeCode"),
        (f"{prefix}_country", ids["country"], f"{address}/ram:CountryID"),
        (f"{prefix}_electronic_address", ids["endpoint"], f"{party}/ram:URIUniversalCommunication/ram:URIID"),
        (f"{prefix}_contact_name", ids["contact"], f"{party}/ram:DefinedTradeContact/ram:PersonName"),
        (f"{prefix}_contact_phone", ids["phone"],
         f"{party}/ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
        (f"{prefix}_contact_email", ids["email"],
         f"{party}/ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
    ]
    if prefix == "supplier":
        specs += [("supplier_tax_number", "BT-32", f"{party}/{vat_reg}/ram:ID[@schemeID='FC']"),
                  ("supplier_trading_name", "BT-28", f"{party}/ram:SpecifiedLegalOrganization/ram:TradingBusinessName")]
    return specs


SELLER_BT = {"name": "BT-27", "id": "BT-29", "legal_id": "BT-30", "vat_id": "BT-31", "street": "BT-35",
             "street_2": "BT-36", "city": "BT-37", "postcode": "BT-38", "country": "BT-40", "endpoint": "BT-34",
             "contact": "BT-41", "phone": "BT-42", "email": "BT-43"}
BUYER_BT = {"name": "BT-44", "id": "BT-46", "legal_id": "BT-47", "vat_id": "BT-48", "street": "BT-50",
            "street_2": "BT-51", "city": "BT-52", "postcode": "BT-53", "country": "BT-55", "endpoint": "BT-49",
            "contact": "BT-56", "phone": "BT-57", "email": "BT-58"}


def _cii(name: str, ns: dict[str, str], *, root: str, context: str, document: str, transaction: str,
         agreement: str, delivery: str, settlement: str, summation: str, line_agreement: str, line_delivery: str,
         line_settlement: str, line_summation: str, percent: str) -> Syntax:
    doc, ag, st = f"{root}/{document}", f"{root}/{transaction}/{agreement}", f"{root}/{transaction}/{settlement}"
    dl = f"{root}/{transaction}/{delivery}"
    means = f"{st}/ram:SpecifiedTradeSettlementPaymentMeans"
    header: list[Spec] = [
        ("customization_id", "BT-24", f"{root}/{context}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
        ("profile_id", "BT-23", f"{root}/{context}/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"),
        ("invoice_number", "BT-1", f"{doc}/ram:ID"),
        ("type_code", "BT-3", f"{doc}/ram:TypeCode"),
        ("invoice_date", "BT-2", f"{doc}/ram:IssueDateTime/udt:DateTimeString"),
        ("currency", "BT-5", f"{st}/ram:InvoiceCurrencyCode"),
        ("tax_currency", "BT-6", f"{st}/ram:TaxCurrencyCode"),
        ("due_date", "BT-9", f"{st}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"),
        ("payment_terms", "BT-20", f"{st}/ram:SpecifiedTradePaymentTerms/ram:Description"),
        ("buyer_reference", "BT-10", f"{ag}/ram:BuyerReference"),
        ("po_number", "BT-13", f"{ag}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        ("po_number", "BT-13", f"{ag}/ram:BuyerOrderReferencedDocument/ram:ID"),
        ("contract_reference", "BT-12", f"{ag}/ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        ("sales_order_reference", "BT-14", f"{ag}/ram:SellerOrderReferencedDocument/ram:IssuerAssignedID"),
        ("amends_number", "BT-25", f"{st}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
        ("amends_date", "BT-26", f"{st}/ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString"),
        *_cii_party("supplier", f"{ag}/ram:SellerTradeParty", SELLER_BT),
        *_cii_party("buyer", f"{ag}/ram:BuyerTradeParty", BUYER_BT),
        ("delivery_date", "BT-72",
         f"{dl}/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString"),
        ("payment_means_code", "BT-81", f"{means}/ram:TypeCode"),
        ("payment_reference", "BT-83", f"{st}/ram:PaymentReference"),
        ("supplier_iban", "BT-84", f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID"),
        ("supplier_account", "BT-84", f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID"),
        ("supplier_bic", "BT-86", f"{means}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        ("line_total", "BT-106", f"{st}/{summation}/ram:LineTotalAmount"),
        ("allowance_total", "BT-107", f"{st}/{summation}/ram:AllowanceTotalAmount"),
        ("charge_total", "BT-108", f"{st}/{summation}/ram:ChargeTotalAmount"),
        ("net_total", "BT-109", f"{st}/{summation}/ram:TaxBasisTotalAmount"),
        ("tax_total", "BT-110", f"{st}/{summation}/ram:TaxTotalAmount"),
        ("tax_total_accounting", "BT-111", f"{st}/{summation}/ram:TaxTotalAmount"),
        ("total", "BT-112", f"{st}/{summation}/ram:GrandTotalAmount"),
        ("prepaid_amount", "BT-113", f"{st}/{summation}/ram:TotalPrepaidAmount"),
        ("rounding_amount", "BT-114", f"{st}/{summation}/ram:RoundingAmount"),
        ("amount_due", "BT-115", f"{st}/{summation}/ram:DuePayableAmount"),
    ]
    vat_terms: tuple[Spec, ...] = (
        ("base", "BT-116", "ram:BasisAmount"), ("amount", "BT-117", "ram:CalculatedAmount"),
        ("category", "BT-118", "ram:CategoryCode"), ("rate", "BT-119", percent),
        ("exemption_reason", "BT-120", "ram:ExemptionReason"), ("exemption_code", "BT-121", "ram:ExemptionReasonCode"),
    )
    allowance_terms: tuple[Spec, ...] = (
        ("amount", "BT-92/BT-99", "ram:ActualAmount"), ("base", "BT-93/BT-100", "ram:BasisAmount"),
        ("percent", "BT-94/BT-101", "ram:CalculationPercent"),
        ("category", "BT-95/BT-102", "ram:CategoryTradeTax/ram:CategoryCode"),
        ("rate", "BT-96/BT-103", f"ram:CategoryTradeTax/{percent}"),
        ("reason", "BT-97/BT-104", "ram:Reason"), ("reason_code", "BT-98/BT-105", "ram:ReasonCode"),
    )
    line_terms: tuple[Spec, ...] = (
        ("line_id", "BT-126", "ram:AssociatedDocumentLineDocument/ram:LineID"),
        ("quantity", "BT-129", f"{line_delivery}/ram:BilledQuantity"),
        ("unit", "BT-130", f"{line_delivery}/ram:BilledQuantity/@unitCode"),
        ("amount", "BT-131", f"{line_settlement}/{line_summation}/ram:LineTotalAmount"),
        ("net_price", "BT-146", f"{line_agreement}/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
        ("price_base_quantity", "BT-149", f"{line_agreement}/ram:NetPriceProductTradePrice/ram:BasisQuantity"),
        ("gross_price", "BT-148", f"{line_agreement}/ram:GrossPriceProductTradePrice/ram:ChargeAmount"),
        ("tax_category", "BT-151", f"{line_settlement}/ram:ApplicableTradeTax/ram:CategoryCode"),
        ("tax_rate", "BT-152", f"{line_settlement}/ram:ApplicableTradeTax/{percent}"),
        ("name", "BT-153", "ram:SpecifiedTradeProduct/ram:Name"),
        ("item_description", "BT-154", "ram:SpecifiedTradeProduct/ram:Description"),
        ("sku", "BT-155", "ram:SpecifiedTradeProduct/ram:SellerAssignedID"),
        ("buyer_item_id", "BT-156", "ram:SpecifiedTradeProduct/ram:BuyerAssignedID"),
        ("standard_item_id", "BT-157", "ram:SpecifiedTradeProduct/ram:GlobalID"),
        ("order_line_reference", "BT-132", f"{line_agreement}/ram:BuyerOrderReferencedDocument/ram:LineID"),
    )
    return Syntax(
        name=name, root=root, namespaces=ns, header=tuple(header),
        vat=f"{st}/ram:ApplicableTradeTax", vat_terms=vat_terms,
        allowances=f"{st}/ram:SpecifiedTradeAllowanceCharge", allowance_terms=allowance_terms,
        charge_indicator="ram:ChargeIndicator/udt:Indicator",
        lines=f"{root}/{transaction}/ram:IncludedSupplyChainTradeLineItem", line_terms=line_terms,
        line_allowances=f"{line_settlement}/ram:SpecifiedTradeAllowanceCharge",
        line_allowance_amount="ram:ActualAmount", line_charge_indicator="ram:ChargeIndicator/udt:Indicator",
        # ZUGFeRD 1.0 and the EXTENDED profile state freight as a logistics service charge: a BG-21 charge.
        logistics=f"{st}/ram:SpecifiedLogisticsServiceCharge",
        logistics_terms=(("amount", "BT-99", "ram:AppliedAmount"), ("reason", "BT-104", "ram:Description"),
                         ("category", "BT-102", "ram:AppliedTradeTax/ram:CategoryCode"),
                         ("rate", "BT-103", f"ram:AppliedTradeTax/{percent}")))


CII_D16B = _cii(
    "cii-d16b", _CII_NS, root="/rsm:CrossIndustryInvoice", context="rsm:ExchangedDocumentContext",
    document="rsm:ExchangedDocument", transaction="rsm:SupplyChainTradeTransaction",
    agreement="ram:ApplicableHeaderTradeAgreement", delivery="ram:ApplicableHeaderTradeDelivery",
    settlement="ram:ApplicableHeaderTradeSettlement", summation="ram:SpecifiedTradeSettlementHeaderMonetarySummation",
    line_agreement="ram:SpecifiedLineTradeAgreement", line_delivery="ram:SpecifiedLineTradeDelivery",
    line_settlement="ram:SpecifiedLineTradeSettlement",
    line_summation="ram:SpecifiedTradeSettlementLineMonetarySummation", percent="ram:RateApplicablePercent")

ZUGFERD_1 = _cii(
    "cii-zugferd1", _ZF1_NS, root="/rsm:CrossIndustryDocument", context="rsm:SpecifiedExchangedDocumentContext",
    document="rsm:HeaderExchangedDocument", transaction="rsm:SpecifiedSupplyChainTradeTransaction",
    agreement="ram:ApplicableSupplyChainTradeAgreement", delivery="ram:ApplicableSupplyChainTradeDelivery",
    settlement="ram:ApplicableSupplyChainTradeSettlement", summation="ram:SpecifiedTradeSettlementMonetarySummation",
    line_agreement="ram:SpecifiedSupplyChainTradeAgreement", line_delivery="ram:SpecifiedSupplyChainTradeDelivery",
    line_settlement="ram:SpecifiedSupplyChainTradeSettlement",
    line_summation="ram:SpecifiedTradeSettlementMonetarySummation", percent="ram:ApplicablePercent")


def _ubl_party(prefix: str, party: str, ids: dict[str, str]) -> list[Spec]:
    address = f"{party}/cac:PostalAddress"
    vat_scheme = "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']"
    specs = [
        (f"{prefix}_name", ids["name"], f"{party}/cac:PartyLegalEntity/cbc:RegistrationName"),
        (f"{prefix}_name", ids["name"], f"{party}/cac:PartyName/cbc:Name"),
        (f"{prefix}_id", ids["id"], f"{party}/cac:PartyIdentification/cbc:ID"),
        (f"{prefix}_legal_id", ids["legal_id"], f"{party}/cac:PartyLegalEntity/cbc:CompanyID"),
        (f"{prefix}_vat_id", ids["vat_id"], f"{party}/{vat_scheme}/cbc:CompanyID"),
        (f"{prefix}_street", ids["street"], f"{address}/cbc:StreetName"),
        (f"{prefix}_street_2", ids["street_2"], f"{address}/cbc:AdditionalStreetName"),
        (f"{prefix}_city", ids["city"], f"{address}/cbc:CityName"),
        (f"{prefix}_postcode", ids["postcode"], f"{address}/cbc:PostalZone"),
        (f"{prefix}_country", ids["country"], f"{address}/cac:Country/cbc:IdentificationCode"),
        (f"{prefix}_electronic_address", ids["endpoint"], f"{party}/cbc:EndpointID"),
        (f"{prefix}_contact_name", ids["contact"], f"{party}/cac:Contact/cbc:Name"),
        (f"{prefix}_contact_phone", ids["phone"], f"{party}/cac:Contact/cbc:Telephone"),
        (f"{prefix}_contact_email", ids["email"], f"{party}/cac:Contact/cbc:ElectronicMail"),
    ]
    if prefix == "supplier":
        specs += [("supplier_tax_number", "BT-32",
                   f"{party}/cac:PartyTaxScheme[not(cac:TaxScheme/cbc:ID='VAT')]/cbc:CompanyID"),
                  ("supplier_trading_name", "BT-28", f"{party}/cac:PartyName/cbc:Name")]
    return specs


def _ubl(credit_note: bool) -> Syntax:
    kind = "CreditNote" if credit_note else "Invoice"
    root = f"/ubl:{kind}"
    ns = {"ubl": UBL_CREDIT_NOTE_NS if credit_note else UBL_INVOICE_NS, **_UBL_COMMON}
    means = f"{root}/cac:PaymentMeans"
    total = f"{root}/cac:LegalMonetaryTotal"
    header: list[Spec] = [
        ("customization_id", "BT-24", f"{root}/cbc:CustomizationID"),
        ("profile_id", "BT-23", f"{root}/cbc:ProfileID"),
        ("invoice_number", "BT-1", f"{root}/cbc:ID"),
        ("type_code", "BT-3", f"{root}/cbc:{kind}TypeCode"),
        ("invoice_date", "BT-2", f"{root}/cbc:IssueDate"),
        ("currency", "BT-5", f"{root}/cbc:DocumentCurrencyCode"),
        ("tax_currency", "BT-6", f"{root}/cbc:TaxCurrencyCode"),
        ("due_date", "BT-9", f"{root}/cbc:DueDate"),
        ("due_date", "BT-9", f"{means}/cbc:PaymentDueDate"),
        ("payment_terms", "BT-20", f"{root}/cac:PaymentTerms/cbc:Note"),
        ("buyer_reference", "BT-10", f"{root}/cbc:BuyerReference"),
        ("po_number", "BT-13", f"{root}/cac:OrderReference/cbc:ID"),
        ("contract_reference", "BT-12", f"{root}/cac:ContractDocumentReference/cbc:ID"),
        ("sales_order_reference", "BT-14", f"{root}/cac:OrderReference/cbc:SalesOrderID"),
        ("amends_number", "BT-25", f"{root}/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        ("amends_date", "BT-26", f"{root}/cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate"),
        *_ubl_party("supplier", f"{root}/cac:AccountingSupplierParty/cac:Party", SELLER_BT),
        *_ubl_party("buyer", f"{root}/cac:AccountingCustomerParty/cac:Party", BUYER_BT),
        ("delivery_date", "BT-72", f"{root}/cac:Delivery/cbc:ActualDeliveryDate"),
        ("payment_means_code", "BT-81", f"{means}/cbc:PaymentMeansCode"),
        ("payment_reference", "BT-83", f"{means}/cbc:PaymentID"),
        ("supplier_iban", "BT-84", f"{means}/cac:PayeeFinancialAccount/cbc:ID"),
        ("supplier_bic", "BT-86", f"{means}/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
        ("line_total", "BT-106", f"{total}/cbc:LineExtensionAmount"),
        ("allowance_total", "BT-107", f"{total}/cbc:AllowanceTotalAmount"),
        ("charge_total", "BT-108", f"{total}/cbc:ChargeTotalAmount"),
        ("net_total", "BT-109", f"{total}/cbc:TaxExclusiveAmount"),
        ("tax_total", "BT-110", f"{root}/cac:TaxTotal/cbc:TaxAmount"),
        ("tax_total_accounting", "BT-111", f"{root}/cac:TaxTotal/cbc:TaxAmount"),
        ("total", "BT-112", f"{total}/cbc:TaxInclusiveAmount"),
        ("prepaid_amount", "BT-113", f"{total}/cbc:PrepaidAmount"),
        ("rounding_amount", "BT-114", f"{total}/cbc:PayableRoundingAmount"),
        ("amount_due", "BT-115", f"{total}/cbc:PayableAmount"),
    ]
    line = "cac:CreditNoteLine" if credit_note else "cac:InvoiceLine"
    quantity = "cbc:CreditedQuantity" if credit_note else "cbc:InvoicedQuantity"
    category = "cac:TaxCategory"
    return Syntax(
        name="ubl-2.1", root=root, namespaces=ns, header=tuple(header), credit_note_root=credit_note,
        vat=f"{root}/cac:TaxTotal/cac:TaxSubtotal",
        vat_terms=(("base", "BT-116", "cbc:TaxableAmount"), ("amount", "BT-117", "cbc:TaxAmount"),
                   ("category", "BT-118", f"{category}/cbc:ID"), ("rate", "BT-119", f"{category}/cbc:Percent"),
                   ("exemption_reason", "BT-120", f"{category}/cbc:TaxExemptionReason"),
                   ("exemption_code", "BT-121", f"{category}/cbc:TaxExemptionReasonCode")),
        allowances=f"{root}/cac:AllowanceCharge",
        allowance_terms=(("amount", "BT-92/BT-99", "cbc:Amount"), ("base", "BT-93/BT-100", "cbc:BaseAmount"),
                         ("percent", "BT-94/BT-101", "cbc:MultiplierFactorNumeric"),
                         ("category", "BT-95/BT-102", f"{category}/cbc:ID"),
                         ("rate", "BT-96/BT-103", f"{category}/cbc:Percent"),
                         ("reason", "BT-97/BT-104", "cbc:AllowanceChargeReason"),
                         ("reason_code", "BT-98/BT-105", "cbc:AllowanceChargeReasonCode")),
        charge_indicator="cbc:ChargeIndicator",
        lines=f"{root}/{line}",
        line_terms=(("line_id", "BT-126", "cbc:ID"), ("quantity", "BT-129", quantity),
                    ("unit", "BT-130", f"{quantity}/@unitCode"), ("amount", "BT-131", "cbc:LineExtensionAmount"),
                    ("net_price", "BT-146", "cac:Price/cbc:PriceAmount"),
                    ("price_base_quantity", "BT-149", "cac:Price/cbc:BaseQuantity"),
                    ("gross_price", "BT-148", "cac:Price/cac:AllowanceCharge/cbc:BaseAmount"),
                    ("tax_category", "BT-151", "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
                    ("tax_rate", "BT-152", "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
                    ("name", "BT-153", "cac:Item/cbc:Name"),
                    ("item_description", "BT-154", "cac:Item/cbc:Description"),
                    ("sku", "BT-155", "cac:Item/cac:SellersItemIdentification/cbc:ID"),
                    ("buyer_item_id", "BT-156", "cac:Item/cac:BuyersItemIdentification/cbc:ID"),
                    ("standard_item_id", "BT-157", "cac:Item/cac:StandardItemIdentification/cbc:ID"),
                    ("order_line_reference", "BT-132", "cac:OrderLineReference/cbc:LineID")),
        line_allowances="cac:AllowanceCharge", line_allowance_amount="cbc:Amount",
        line_charge_indicator="cbc:ChargeIndicator")


UBL_INVOICE = _ubl(credit_note=False)
UBL_CREDIT_NOTE = _ubl(credit_note=True)

SYNTAXES: dict[str, Syntax] = {
    f"{{{_CII_NS['rsm']}}}CrossIndustryInvoice": CII_D16B,
    f"{{{_ZF1_NS['rsm']}}}CrossIndustryDocument": ZUGFERD_1,
    f"{{{UBL_INVOICE_NS}}}Invoice": UBL_INVOICE,
    f"{{{UBL_CREDIT_NOTE_NS}}}CreditNote": UBL_CREDIT_NOTE,
}
"""The syntax of a document, by its root element's qualified name (Clark notation)."""
