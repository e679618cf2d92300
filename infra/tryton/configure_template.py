"""Set up a freshly activated Tryton database as Docket's demo ERP (run by ``infra/tryton.py``).

Usage: ``python configure_template.py <trytond.conf> <database> <credentials.json>``

Runs trytond in-process through proteus, so it must run in its own process (trytond's
configuration and pool are process-global). Creates, in this order: currencies, the company
"Docket Demo GmbH" (EUR), the universal chart of accounts, fiscal years 2024-2027 with move and
invoice sequences, purchase and sale taxes (19 %, 7 %, 0 % for DE; 20 % for FR), payment terms,
a product, a few vendors and customers with VAT ids and IBANs, one confirmed purchase order,
the ``docket`` API user, and the CRM side: a sales employee, an open opportunity of a customer,
a subscription service and monthly/quarterly/yearly invoice recurrences. The credentials file
must already hold ``docket_password``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from typing import Any

from proteus import Model, Wizard, config
from schwifty import IBAN

CURRENCIES = {"EUR": ("Euro", "1.0"), "USD": ("US Dollar", "1.08"), "GBP": ("Pound Sterling", "0.85"),
              "CHF": ("Swiss Franc", "0.95")}
FISCAL_YEARS = (2024, 2025, 2026, 2027)
# (name, rate, group kind): purchase taxes carry input VAT, sale taxes output VAT.
TAXES = (
    ("VAT 19% purchase", "0.19", "purchase"), ("VAT 7% purchase", "0.07", "purchase"),
    ("VAT 0% purchase", "0", "purchase"), ("FR TVA 20% purchase", "0.20", "purchase"),
    ("VAT 19% sale", "0.19", "sale"), ("VAT 7% sale", "0.07", "sale"),
    ("VAT 0% sale", "0", "sale"), ("FR TVA 20% sale", "0.20", "sale"),
)
COUNTRIES = {"DE": "Germany", "FR": "France", "NL": "Netherlands", "AT": "Austria", "CH": "Switzerland"}
VENDORS = (
    ("V-1001", "Acme Office Supplies GmbH", "DE136695976", "DE89370400440532013000", "Berlin", "DE"),
    ("V-1002", "Papeterie Lumière SARL", "FR40303265045", "FR1420041010050500013M02606", "Lyon", "FR"),
    ("V-1003", "Nordlicht Logistik AG", "DE812526315", "DE02120300000000202051", "Hamburg", "DE"),
)
CUSTOMERS = (
    ("C-2001", "Globex Retail AG", "DE811907980", "DE75512108001245126199", "München", "DE"),
    ("C-2002", "Initech Services BV", "NL004495445B01", "NL91ABNA0417164300", "Utrecht", "NL"),
)


def main(config_file: str, database: str, credentials_file: str) -> None:
    with open(credentials_file, encoding="utf-8") as handle:
        credentials = json.load(handle)
    config.set_trytond(database, config_file=config_file)
    company = _company()
    accounts = _chart(company)
    for year in FISCAL_YEARS:
        _fiscal_year(company, year)
    _taxes(company, accounts["tax"])
    _payment_terms()
    _product(accounts)
    Country = Model.get("country.country")
    for code, name in COUNTRIES.items():
        Country(code=code, name=name).save()
    vendors = [_party(*vendor) for vendor in VENDORS]
    for customer in CUSTOMERS:
        _party(*customer)
    _purchase_order(company, vendors[0])
    _sales_setup(accounts)
    _bank_statement_journal(company)
    _api_user(company, credentials["docket_login"], credentials["docket_password"])
    _cash_application_accounts(company)
    _crm_setup(company)


def _company() -> Any:
    Currency = Model.get("currency.currency")
    Rate = Model.get("currency.currency.rate")
    for code, (name, rate) in CURRENCIES.items():
        currency = Currency(name=name, code=code, symbol=code, rounding=Decimal("0.01"))
        currency.save()
        Rate(currency=currency, date=dt.date(2020, 1, 1), rate=Decimal(rate)).save()
    Party = Model.get("party.party")
    party = Party(name="Docket Demo GmbH")
    party.save()
    wizard = Wizard("company.company.config")
    wizard.execute("company")
    wizard.form.party = party
    wizard.form.currency, = Currency.find([("code", "=", "EUR")])
    wizard.execute("add")
    User = Model.get("res.user")
    config.get_config()._context = User.get_preferences(True, {})
    Company = Model.get("company.company")
    company, = Company.find()
    return company


def _account(code: str) -> Any:
    Account = Model.get("account.account")
    account, = Account.find([("code", "=", code)])
    return account


def _chart(company: Any) -> dict[str, Any]:
    ModelData = Model.get("ir.model.data")
    Template = Model.get("account.account.template")
    wizard = Wizard("account.create_chart")
    wizard.execute("account")
    wizard.form.account_template = Template(
        ModelData.get_id("account.account_template_root_en", config.get_config().context))
    wizard.form.company = company
    wizard.execute("create_account")
    accounts = {"receivable": _account("1.2.1"), "payable": _account("2.1.1"),
                "expense": _account("5.1.1"), "revenue": _account("4.1.1"), "tax": _account("2.2.3")}
    wizard.form.account_receivable = accounts["receivable"]
    wizard.form.account_payable = accounts["payable"]
    wizard.form.category_account_expense = accounts["expense"]
    wizard.form.category_account_revenue = accounts["revenue"]
    wizard.execute("create_properties")
    return accounts


def _fiscal_year(company: Any, year: int) -> None:
    FiscalYear = Model.get("account.fiscalyear")
    Strict = Model.get("ir.sequence.strict")
    SequenceType = Model.get("ir.sequence.type")
    move_type, = SequenceType.find([("name", "=", "Account Move")], limit=1)
    invoice_type, = SequenceType.find([("name", "=", "Invoice")], limit=1)
    move_sequence = Strict(name=f"Moves {year}", sequence_type=move_type, company=company)
    move_sequence.save()
    fiscal_year = FiscalYear(name=str(year), start_date=dt.date(year, 1, 1), end_date=dt.date(year, 12, 31),
                             company=company, move_sequence=move_sequence)
    sequences = {}
    for kind, prefix in (("in", "SI"), ("out", "INV")):
        sequence = Strict(name=f"{prefix} {year}", sequence_type=invoice_type, company=company,
                          prefix=f"{prefix}-{year}-", padding=5)
        sequence.save()
        sequences[kind] = sequence
    invoice_sequences, = fiscal_year.invoice_sequences
    invoice_sequences.in_invoice_sequence = sequences["in"]
    invoice_sequences.in_credit_note_sequence = sequences["in"]
    invoice_sequences.out_invoice_sequence = sequences["out"]
    invoice_sequences.out_credit_note_sequence = sequences["out"]
    fiscal_year.save()
    fiscal_year.click("create_period")


def _taxes(company: Any, tax_account: Any) -> None:
    Group = Model.get("account.tax.group")
    Tax = Model.get("account.tax")
    groups = {}
    for kind in ("purchase", "sale"):
        group = Group(name=f"VAT {kind}", code=f"VAT-{kind}", kind=kind)
        group.save()
        groups[kind] = group
    for name, rate, kind in TAXES:
        Tax(name=name, description=name, type="percentage", rate=Decimal(rate), group=groups[kind],
            invoice_account=tax_account, credit_note_account=tax_account, company=company).save()


def _payment_terms() -> None:
    Term = Model.get("account.invoice.payment_term")
    Delta = Model.get("account.invoice.payment_term.line.delta")
    direct = Term(name="Due on receipt")
    direct.lines.new(type="remainder")
    direct.save()
    for days in (14, 30):
        term = Term(name=f"Net {days} days")
        line = term.lines.new(type="remainder")
        line.relativedeltas.append(Delta(days=days))
        term.save()


def _product(accounts: Any) -> None:
    Category = Model.get("product.category")
    Tax = Model.get("account.tax")
    Uom = Model.get("product.uom")
    Template = Model.get("product.template")
    category = Category(name="Office supplies", accounting=True,
                        account_expense=accounts["expense"], account_revenue=accounts["revenue"])
    category.supplier_taxes.extend(Tax.find([("name", "=", "VAT 19% purchase")]))
    category.customer_taxes.extend(Tax.find([("name", "=", "VAT 19% sale")]))
    category.save()
    unit, = Uom.find([("name", "=", "Unit")])
    template = Template(name="Copy paper A4, 500 sheets", default_uom=unit, type="goods",
                        purchasable=True, salable=True, list_price=Decimal("6.50"),
                        account_category=category)
    template.purchase_uom = unit
    template.code = "P-100"
    template.save()
    product, = template.products
    product.cost_price = Decimal("4.20")
    product.save()


def _party(code: str, name: str, vat_id: str, iban: str, city: str, country: str) -> Any:
    Party = Model.get("party.party")
    Bank = Model.get("bank")
    BankAccount = Model.get("bank.account")
    Country = Model.get("country.country")
    party = Party(name=name, code=code)
    address, = party.addresses
    address.city = city
    address.country, = Country.find([("code", "=", country)])
    party.identifiers.new(type="eu_vat", code=vat_id)
    party.save()
    bic = IBAN(iban).bic
    banks = Bank.find([("bic", "=", str(bic))]) if bic else []
    if not banks:
        bank_party = Party(name=IBAN(iban).bank_name or "Bank")
        bank_party.save()
        banks = [Bank(party=bank_party, bic=str(bic) if bic else None)]
        banks[0].save()
    account = BankAccount(bank=banks[0])
    account.owners.append(Party(party.id))
    account.numbers.new(type="iban", number=iban)
    account.save()
    return party


def _purchase_order(company: Any, vendor: Any) -> None:
    Purchase = Model.get("purchase.purchase")
    Product = Model.get("product.product")
    product, = Product.find([("code", "=", "P-100")])
    Configuration = Model.get("purchase.configuration")
    sequence = Configuration(1).purchase_sequence
    sequence.prefix, sequence.padding = "PO-", 5
    sequence.save()
    purchase = Purchase(party=vendor, invoice_method="manual", purchase_date=dt.date(2025, 3, 3))
    line = purchase.lines.new()
    line.product = product
    line.quantity = 10.0
    line.unit_price = Decimal("4.2000")
    purchase.click("quote")
    purchase.click("confirm")


def _sales_setup(accounts: Any) -> None:
    """Sales orders as Docket creates them: numbered ``SO-00001``, invoiced when processed, and a
    salable service product (``S-100``) for order lines that name no product Tryton sells."""
    Configuration = Model.get("sale.configuration")
    configuration = Configuration(1)
    configuration.sale_invoice_method = "order"
    configuration.save()
    sequence = configuration.sale_sequence
    sequence.prefix, sequence.padding = "SO-", 5
    sequence.save()
    Category = Model.get("product.category")
    Tax = Model.get("account.tax")
    Uom = Model.get("product.uom")
    Template = Model.get("product.template")
    category = Category(name="Ordered services", accounting=True,
                        account_expense=accounts["expense"], account_revenue=accounts["revenue"])
    category.customer_taxes.extend(Tax.find([("name", "=", "VAT 19% sale")]))
    category.save()
    unit, = Uom.find([("name", "=", "Unit")])
    template = Template(name="Ordered item or service", default_uom=unit, type="service", salable=True,
                        list_price=Decimal("0"), account_category=category)
    template.code = "S-100"
    template.save()
    # Bought for the company's own use, never sold: an order naming it is refused by Tryton.
    internal = Template(name="Toner for own printers", default_uom=unit, type="goods", purchasable=True,
                        salable=False, list_price=Decimal("0"), account_category=category)
    internal.purchase_uom = unit
    internal.code = "P-900"
    internal.save()


def _api_user(company: Any, login: str, password: str) -> None:
    User = Model.get("res.user")
    Group = Model.get("res.group")
    user = User(name="Docket integration", login=login, password=password)
    user.groups.extend(Group.find([]))
    user.companies.append(company)
    user.company = company
    user.save()


COMPANY_IBAN = "DE44500105175407324931"


def _bank_statement_journal(company: Any) -> None:
    """The company's bank account and its EUR statement journal, into which Docket posts applied
    payments (one statement per payment, so validation by number of lines: one entry each)."""
    Party = Model.get("party.party")
    Bank = Model.get("bank")
    BankAccount = Model.get("bank.account")
    Journal = Model.get("account.journal")
    StatementJournal = Model.get("account.statement.journal")
    Currency = Model.get("currency.currency")
    bic = str(IBAN(COMPANY_IBAN).bic)
    banks = Bank.find([("bic", "=", bic)])
    if not banks:
        bank_party = Party(name=IBAN(COMPANY_IBAN).bank_name or "Bank")
        bank_party.save()
        banks = [Bank(party=bank_party, bic=bic)]
        banks[0].save()
    account = BankAccount(bank=banks[0])
    account.owners.append(Party(company.party.id))
    account.numbers.new(type="iban", number=COMPANY_IBAN)
    account.save()
    journal, = Journal.find([("type", "=", "statement")], limit=1)
    euro, = Currency.find([("code", "=", "EUR")])
    StatementJournal(name="Bank EUR", journal=journal, currency=euro, company=company, account=_account("1.1.1"),
                     bank_account=account, validation="number_of_lines").save()


def _cash_application_accounts(company: Any) -> None:
    """Accounts Docket's payment postings book on, beside the chart's own: ``5.1.9`` "Customer
    payment deductions" (what a customer deducted from a payment with a reason, so the invoice
    closes and the shortfall shows as such), and ``4.1.9`` / ``5.1.8`` exchange gains and losses,
    set as the company's currency exchange accounts (Tryton books the difference there when a
    payment in euros settles an invoice in another currency)."""
    Account = Model.get("account.account")
    Configuration = Model.get("account.configuration")
    expense, revenue = _account("5.1.1"), _account("4.1.1")
    accounts = {}
    for code, name, sibling in (("5.1.9", "Customer payment deductions", expense),
                                ("4.1.9", "Exchange gains", revenue), ("5.1.8", "Exchange losses", expense)):
        account = Account(name=name, code=code, company=company, parent=sibling.parent, type=sibling.type)
        account.save()
        accounts[code] = account
    configuration = Configuration(1)
    configuration.currency_exchange_credit_account = accounts["4.1.9"]
    configuration.currency_exchange_debit_account = accounts["5.1.8"]
    configuration.save()


# The open deal of the demo: a signed order form quoting this reference wins it.
OPEN_OPPORTUNITY = ("C-2001", "Q-2026-014", "Support and rollout 2026", Decimal("4800.00"))
SUBSCRIPTION_SERVICE_CODE = "SUB-100"
# (name, frequency, interval): the billing frequencies a contract names.
RECURRENCES = (("Monthly", "monthly", 1), ("Quarterly", "monthly", 3), ("Yearly", "yearly", 1))


def _crm_setup(company: Any) -> None:
    """Opportunities and subscriptions as Docket's ``crm`` target uses them."""
    Party = Model.get("party.party")
    Employee = Model.get("company.employee")
    rep = Party(name="Dana Sales")
    rep.save()
    employee = Employee(party=rep, company=company)
    employee.save()
    _subscription_service()
    RuleSet = Model.get("sale.subscription.recurrence.rule.set")
    for name, freq, interval in RECURRENCES:
        rule_set = RuleSet(name=name)
        # A new rule set comes with one empty rule (its default): fill it.
        rule = rule_set.rules[0] if rule_set.rules else rule_set.rules.new()
        rule.freq, rule.interval = freq, interval
        rule_set.save()
    code, reference, description, amount = OPEN_OPPORTUNITY
    Opportunity = Model.get("sale.opportunity")
    Product = Model.get("product.product")
    customer, = Party.find([("code", "=", code)])
    service, = Product.find([("code", "=", "S-100")])
    opportunity = Opportunity(party=customer, reference=reference, description=description,
                              amount=amount, employee=employee, start_date=dt.date(2026, 1, 12))
    line = opportunity.lines.new()
    line.product, line.quantity, line.unit = service, 1.0, service.default_uom
    opportunity.save()
    opportunity.click("opportunity")


def _subscription_service() -> None:
    """A salable service product (``SUB-100``) with its subscription service, for contract lines."""
    Category = Model.get("product.category")
    Uom = Model.get("product.uom")
    Template = Model.get("product.template")
    Service = Model.get("sale.subscription.service")
    category, = Category.find([("name", "=", "Ordered services")])
    unit, = Uom.find([("name", "=", "Unit")])
    template = Template(name="Support subscription", default_uom=unit, type="service", salable=True,
                        list_price=Decimal("0"), account_category=category)
    template.code = SUBSCRIPTION_SERVICE_CODE
    template.save()
    product, = template.products
    Service(product=product).save()


if __name__ == "__main__":
    main(*sys.argv[1:4])
