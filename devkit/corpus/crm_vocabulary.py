"""Printed words of the CRM forms (order forms, contracts, customer change forms), per vocabulary.

Two kinds of vocabulary: ``dev_en`` / ``dev_de`` are the words the CRM extractor was developed on
(English and German titles, "Label: value" labels); every other vocabulary (``ho_en``, ``ho_de``,
``fr``, ``nl``, ``es``, and ``hb_en``, ``hb_de``, ``hb_fr`` of the second holdout) belongs to a
holdout family and says the same things in words the extractor has not seen. A layout picks one
synonym per key and keeps it for every document, as a real template does. Field names are those
of :data:`CRM_FIELDS`, the contract with the extractor.
"""

from __future__ import annotations

import hashlib

CRM_DOCUMENT_TYPES = ("order_form", "contract", "customer_change")

#: truth fields per CRM type (those a document prints are recorded)
CRM_FIELDS: dict[str, tuple[str, ...]] = {
    "order_form": ("buyer_name", "customer_reference", "opportunity_reference", "order_number", "signature_date",
                   "net_total", "total", "currency"),
    "contract": ("buyer_name", "customer_reference", "contract_number", "start_date", "end_date", "term_months",
                 "renewal", "notice_period", "value", "billing_frequency", "currency", "signature_date"),
    "customer_change": ("buyer_name", "customer_reference", "street", "postal_code", "city", "country", "email",
                        "phone", "new_iban", "new_bic", "old_iban", "signature_date"),
}
CRM_REQUIRED: dict[str, tuple[str, ...]] = {
    "order_form": ("buyer_name", "opportunity_reference", "total"),
    "contract": ("buyer_name", "contract_number", "start_date", "value", "billing_frequency"),
    "customer_change": ("buyer_name",),
}

_V = dict[str, tuple[str, ...]]

TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "dev_en": {"order_form": ("Signed Order Form", "Quote Acceptance"),
               "contract": ("Service Agreement", "Subscription Agreement"),
               "customer_change": ("Change of Customer Details", "Change of Bank Details")},
    "dev_de": {"order_form": ("Auftragsformular", "Angebotsannahme"),
               "contract": ("Dienstleistungsvertrag", "Wartungsvertrag"),
               "customer_change": ("Änderung der Kundendaten", "Stammdatenänderung")},
    "ho_en": {"order_form": ("Proposal Acceptance", "Accepted Proposal"),
              "contract": ("Software Licence Agreement", "Maintenance Agreement"),
              "customer_change": ("Account Details Update", "Customer Information Update")},
    "ho_de": {"order_form": ("Annahmeerklärung", "Angebotsbestätigung"),
              "contract": ("Rahmenvertrag", "Softwarelizenzvertrag"),
              "customer_change": ("Mitteilung geänderter Kundendaten", "Änderungsmitteilung")},
    "fr": {"order_form": ("Bon de commande signé", "Acceptation du devis"),
           "contract": ("Contrat de prestation de services", "Contrat d'abonnement"),
           "customer_change": ("Modification des coordonnées client", "Changement de coordonnées bancaires")},
    "nl": {"order_form": ("Akkoordverklaring offerte", "Getekend orderformulier"),
           "contract": ("Dienstverleningsovereenkomst", "Abonnementsovereenkomst"),
           "customer_change": ("Wijziging klantgegevens", "Wijziging bankgegevens")},
    "hb_en": {"order_form": ("Order Confirmation Slip", "Signed Quotation"),
              "contract": ("Hosting Services Contract", "Support Plan Agreement"),
              "customer_change": ("Request to Amend Account Details", "Billing Details Amendment")},
    "hb_de": {"order_form": ("Auftragsannahme", "Unterschriebenes Angebot"),
              "contract": ("Servicevertrag", "Nutzungsvereinbarung"),
              "customer_change": ("Adressänderung", "Antrag auf Änderung der Bankdaten")},
    "hb_fr": {"order_form": ("Devis accepté", "Bon pour accord"),
              "contract": ("Convention de services", "Contrat de maintenance"),
              "customer_change": ("Mise à jour du dossier client", "Demande de changement de RIB")},
    "es": {"order_form": ("Aceptación de presupuesto", "Hoja de pedido firmada"),
           "contract": ("Contrato de servicios", "Contrato de suscripción"),
           "customer_change": ("Modificación de datos del cliente", "Cambio de datos bancarios")},
}

LABELS: dict[str, _V] = {
    "dev_en": {"buyer_name": ("Customer", "Client"), "customer_reference": ("Customer number", "Customer no"),
               "opportunity_reference": ("Quote reference", "Quote number"),
               "order_number": ("Order form number", "Order number"), "signature_date": ("Signature date",
                                                                                         "Date signed"),
               "net_total": ("Net amount", "Net total"), "total": ("Total", "Order total"),
               "currency": ("Currency",), "contract_number": ("Contract number", "Agreement number"),
               "start_date": ("Start date", "Effective date"), "end_date": ("End date", "Expiry date"),
               "term_months": ("Initial term", "Term"), "renewal": ("Renewal", "Automatic renewal"),
               "notice_period": ("Notice period",), "value": ("Recurring fee", "Contract value"),
               "billing_frequency": ("Billing frequency", "Invoicing"), "street": ("New street", "Street"),
               "postal_code": ("Postal code", "ZIP code"), "city": ("City",), "country": ("Country",),
               "email": ("New e-mail", "E-mail"), "phone": ("New phone", "Phone"), "new_iban": ("New IBAN",),
               "new_bic": ("New BIC",), "old_iban": ("Previous IBAN", "Old IBAN")},
    "dev_de": {"buyer_name": ("Kunde", "Auftraggeber"), "customer_reference": ("Kundennummer",),
               "opportunity_reference": ("Angebotsnummer", "Angebot"), "order_number": ("Auftragsnummer",),
               "signature_date": ("Unterschrieben am", "Datum der Unterschrift"), "net_total": ("Nettobetrag",),
               "total": ("Gesamtbetrag", "Summe"), "currency": ("Währung",), "contract_number": ("Vertragsnummer",),
               "start_date": ("Vertragsbeginn", "Beginn"), "end_date": ("Vertragsende",), "term_months": ("Laufzeit",),
               "renewal": ("Verlängerung",), "notice_period": ("Kündigungsfrist",), "value": ("Entgelt",),
               "billing_frequency": ("Abrechnung",), "street": ("Straße",), "postal_code": ("PLZ", "Postleitzahl"),
               "city": ("Ort", "Stadt"), "country": ("Land",), "email": ("E-Mail",), "phone": ("Telefon",),
               "new_iban": ("Neue IBAN",), "new_bic": ("Neue BIC",), "old_iban": ("Bisherige IBAN", "Alte IBAN")},
    "ho_en": {"buyer_name": ("Account name", "Company"), "customer_reference": ("Account ID", "Client ref."),
              "opportunity_reference": ("Proposal ID", "Proposal ref."),
              "order_number": ("Form ID", "Authorisation no."), "signature_date": ("Date",),
              "net_total": ("Subtotal excl. VAT", "Net price"), "total": ("Grand total", "Amount payable"),
              "contract_number": ("Agreement ID", "Agreement ref."), "start_date": ("Commencement", "Service start"),
              "end_date": ("Expires",), "term_months": ("Minimum term", "Duration"),
              "renewal": ("Renewal terms", "Roll-over"), "notice_period": ("Cancellation notice", "Notice required"),
              "value": ("Subscription fee", "Charges"), "billing_frequency": ("Payment interval", "Invoiced"),
              "street": ("Address line", "Registered address"), "postal_code": ("Postcode",), "city": ("Town",),
              "country": ("Nation",), "email": ("Accounts mailbox", "Mail"), "phone": ("Mobile", "Tel."),
              "new_iban": ("IBAN (new account)", "Replacement IBAN"), "new_bic": ("SWIFT code", "BIC/SWIFT"),
              "old_iban": ("IBAN (account closing)", "Replaced IBAN")},
    "ho_de": {"buyer_name": ("Firma", "Vertragspartner"), "customer_reference": ("Kunden-Nr.", "Debitor"),
              "opportunity_reference": ("Unser Angebot vom", "Angebots-Nr."), "order_number": ("Beleg-Nr.", "Vorgang"),
              "signature_date": ("Datum",), "net_total": ("Summe netto", "Netto"),
              "total": ("Bruttobetrag", "Endbetrag"), "contract_number": ("Vertrags-Nr.", "Vertragskennung"),
              "start_date": ("Leistungsbeginn", "Gültig ab"), "end_date": ("Gültig bis",),
              "term_months": ("Mindestlaufzeit", "Vertragsdauer"), "renewal": ("Verlängerungsklausel",),
              "notice_period": ("Kündigung", "Frist"), "value": ("Vergütung", "Pauschale"),
              "billing_frequency": ("Zahlweise", "Rechnungsstellung"), "street": ("Anschrift",),
              "postal_code": ("Postleitzahl neu",), "city": ("Wohnort", "Sitz"), "country": ("Staat",),
              "email": ("Mail-Adresse",), "phone": ("Rufnummer", "Tel."), "new_iban": ("IBAN (neu)",),
              "new_bic": ("BIC (neu)",), "old_iban": ("IBAN (bisher)",)},
    "fr": {"buyer_name": ("Client", "Raison sociale"), "customer_reference": ("N° client", "Code client"),
           "opportunity_reference": ("Réf. devis", "N° de devis"), "order_number": ("N° de bon", "Bon n°"),
           "signature_date": ("Fait le", "Date"), "net_total": ("Total HT", "Montant HT"),
           "total": ("Total TTC", "Montant TTC"), "contract_number": ("N° de contrat", "Contrat n°"),
           "start_date": ("Date d'effet", "Prise d'effet"), "end_date": ("Date de fin", "Échéance"),
           "term_months": ("Durée", "Durée initiale"), "renewal": ("Reconduction",),
           "notice_period": ("Préavis", "Délai de résiliation"), "value": ("Redevance", "Montant"),
           "billing_frequency": ("Facturation", "Périodicité"), "street": ("Adresse",),
           "postal_code": ("Code postal",), "city": ("Ville",), "country": ("Pays",),
           "email": ("Courriel", "Adresse e-mail"), "phone": ("N° de téléphone", "Tél."), "new_iban": ("Nouvel IBAN",),
           "new_bic": ("Nouveau BIC",), "old_iban": ("Ancien IBAN",)},
    "nl": {"buyer_name": ("Klant", "Bedrijfsnaam"), "customer_reference": ("Klantnummer", "Debiteurnr."),
           "opportunity_reference": ("Offertenummer", "Offerte"), "order_number": ("Ordernummer", "Formulier nr."),
           "signature_date": ("Datum ondertekening", "Datum"), "net_total": ("Totaal excl. btw", "Subtotaal"),
           "total": ("Totaal incl. btw", "Totaalbedrag"), "contract_number": ("Contractnummer", "Overeenkomst nr."),
           "start_date": ("Ingangsdatum", "Startdatum"), "end_date": ("Einddatum",),
           "term_months": ("Looptijd", "Contractduur"), "renewal": ("Verlenging",),
           "notice_period": ("Opzegtermijn",), "value": ("Vergoeding", "Abonnementsprijs"),
           "billing_frequency": ("Facturatie", "Betaaltermijn"), "street": ("Straat en huisnummer", "Adres"),
           "postal_code": ("Postcode",), "city": ("Plaats", "Woonplaats"), "country": ("Land",),
           "email": ("E-mailadres",), "phone": ("Telefoonnummer",), "new_iban": ("Nieuw IBAN",),
           "new_bic": ("Nieuwe BIC",), "old_iban": ("Oud IBAN",)},
    "hb_en": {"buyer_name": ("Organisation", "Legal entity"), "customer_reference": ("Client code", "Account no."),
              "opportunity_reference": ("Quotation ref.", "Offer number"), "order_number": ("Slip no.", "Ref."),
              "signature_date": ("Date of signature",), "net_total": ("Price before tax", "Net"),
              "total": ("Price incl. tax", "To pay"), "contract_number": ("Contract ref.", "Plan ID"),
              "start_date": ("Go-live date", "Starts"), "end_date": ("Ends",), "term_months": ("Committed period",),
              "renewal": ("Extension",), "notice_period": ("Termination notice",), "value": ("Plan price", "Fee"),
              "billing_frequency": ("Billing cycle",), "street": ("Street address",), "postal_code": ("Post code",),
              "city": ("Town/City",), "country": ("Country/Region",), "email": ("Billing e-mail",),
              "phone": ("Contact number",), "new_iban": ("Account to use (IBAN)",), "new_bic": ("Bank code",),
              "old_iban": ("Account to stop (IBAN)",)},
    "hb_de": {"buyer_name": ("Unternehmen", "Besteller"), "customer_reference": ("Kundenkennung", "Konto"),
              "opportunity_reference": ("Angebotsreferenz", "Bezug"), "order_number": ("Vorgangsnummer",),
              "signature_date": ("Unterzeichnet am",), "net_total": ("Nettosumme",), "total": ("Bruttosumme",),
              "contract_number": ("Vertragsreferenz",), "start_date": ("Startdatum", "Ab"), "end_date": ("Bis",),
              "term_months": ("Bindung",), "renewal": ("Fortsetzung",), "notice_period": ("Kündbar mit",),
              "value": ("Preis", "Gebühr"), "billing_frequency": ("Zahlungsrhythmus",),
              "street": ("Straße und Hausnummer",), "postal_code": ("Neue PLZ",), "city": ("Neuer Ort",),
              "country": ("Staat (neu)",), "email": ("E-Mail für Rechnungen",), "phone": ("Neue Telefonnummer",),
              "new_iban": ("Künftige IBAN",), "new_bic": ("Künftige BIC",), "old_iban": ("Bisherige Bankverbindung",)},
    "hb_fr": {"buyer_name": ("Société", "Souscripteur"), "customer_reference": ("Référence client",),
              "opportunity_reference": ("Devis n°", "Proposition"), "order_number": ("Accord n°",),
              "signature_date": ("Signé le",), "net_total": ("Prix HT",), "total": ("Prix TTC",),
              "contract_number": ("Référence du contrat",), "start_date": ("Début", "À compter du"),
              "end_date": ("Fin",), "term_months": ("Engagement",), "renewal": ("Renouvellement",),
              "notice_period": ("Résiliation",), "value": ("Tarif", "Prix"), "billing_frequency": ("Rythme",),
              "street": ("Voie",), "postal_code": ("CP",), "city": ("Commune",), "country": ("État",),
              "email": ("E-mail de facturation",), "phone": ("Numéro de contact",), "new_iban": ("IBAN à utiliser",),
              "new_bic": ("BIC à utiliser",), "old_iban": ("IBAN à clôturer",)},
    "es": {"buyer_name": ("Cliente", "Razón social"), "customer_reference": ("Nº cliente", "Código cliente"),
           "opportunity_reference": ("Nº presupuesto", "Presupuesto"), "order_number": ("Nº de hoja", "Pedido nº"),
           "signature_date": ("Fecha de firma", "Fecha"), "net_total": ("Base imponible", "Importe neto"),
           "total": ("Importe total", "Total con IVA"), "contract_number": ("Nº de contrato", "Contrato nº"),
           "start_date": ("Fecha de inicio", "Inicio"), "end_date": ("Fecha de finalización", "Fin"),
           "term_months": ("Duración", "Plazo"), "renewal": ("Prórroga", "Renovación"),
           "notice_period": ("Preaviso", "Plazo de preaviso"), "value": ("Cuota", "Importe"),
           "billing_frequency": ("Facturación", "Periodicidad"), "street": ("Dirección", "Domicilio"),
           "postal_code": ("Código postal",), "city": ("Ciudad", "Localidad"), "country": ("País",),
           "email": ("Correo electrónico",), "phone": ("Teléfono",), "new_iban": ("Nuevo IBAN",),
           "new_bic": ("Nuevo BIC",), "old_iban": ("IBAN anterior",)},
}

#: printed value words: renewal (auto / none), billing frequency, units of term and notice
PHRASES: dict[str, _V] = {
    "dev_en": {"auto": ("renews automatically for {n} months", "automatic"), "none": ("no renewal",),
               "monthly": ("monthly",), "quarterly": ("quarterly",), "yearly": ("yearly", "annually"),
               "months": ("{n} months",), "years": ("{n} years",), "days": ("{n} days",)},
    "dev_de": {"auto": ("verlängert sich automatisch um {n} Monate",), "none": ("keine Verlängerung",),
               "monthly": ("monatlich",), "quarterly": ("vierteljährlich", "quartalsweise"), "yearly": ("jährlich",),
               "months": ("{n} Monate",), "years": ("{n} Jahre",), "days": ("{n} Tage",)},
    "ho_en": {"auto": ("rolls over for successive {n}-month periods unless cancelled",),
              "none": ("ends at the close of the term",), "monthly": ("every month", "per calendar month"),
              "quarterly": ("every three months",), "yearly": ("once a year", "each year in advance"),
              "months": ("{n} months",), "years": ("{n} years",), "days": ("{n} days",)},
    "ho_de": {"auto": ("stillschweigende Verlängerung um je {n} Monate",), "none": ("endet ohne Verlängerung",),
              "monthly": ("pro Monat",), "quarterly": ("pro Quartal",), "yearly": ("pro Jahr",),
              "months": ("{n} Monate",), "years": ("{n} Jahre",), "days": ("{n} Tage",)},
    "fr": {"auto": ("tacite reconduction par périodes de {n} mois",), "none": ("sans reconduction",),
           "monthly": ("mensuelle",), "quarterly": ("trimestrielle",), "yearly": ("annuelle",),
           "months": ("{n} mois",), "years": ("{n} ans",), "days": ("{n} jours",)},
    "nl": {"auto": ("stilzwijgend verlengd met {n} maanden",), "none": ("geen verlenging",),
           "monthly": ("maandelijks",), "quarterly": ("per kwartaal",), "yearly": ("jaarlijks",),
           "months": ("{n} maanden",), "years": ("{n} jaar",), "days": ("{n} dagen",)},
    "hb_en": {"auto": ("extends by {n} months each time",), "none": ("fixed term only",),
              "monthly": ("billed per month",), "quarterly": ("billed per quarter",), "yearly": ("billed per year",),
              "months": ("{n} months",), "years": ("{n} years",), "days": ("{n} days",)},
    "hb_de": {"auto": ("um {n} Monate, wenn nicht gekündigt",), "none": ("keine",),
              "monthly": ("monatlich im Voraus",), "quarterly": ("je Quartal",), "yearly": ("jährlich im Voraus",),
              "months": ("{n} Monate",), "years": ("{n} Jahre",), "days": ("{n} Tage",)},
    "hb_fr": {"auto": ("renouvelé par périodes de {n} mois",), "none": ("aucun",),
              "monthly": ("par mois",), "quarterly": ("par trimestre",), "yearly": ("par an",),
              "months": ("{n} mois",), "years": ("{n} ans",), "days": ("{n} jours",)},
    "es": {"auto": ("prórroga automática por períodos de {n} meses",), "none": ("sin prórroga",),
           "monthly": ("mensual",), "quarterly": ("trimestral",), "yearly": ("anual",),
           "months": ("{n} meses",), "years": ("{n} años",), "days": ("{n} días",)},
}

#: words around the form: the signature block, the letter's salutation and closing, its footer
TEXTS: dict[str, _V] = {
    "ho_en": {"sign": ("Signed for and on behalf of the customer",), "place_date": ("Place and date",),
              "salutation": ("Dear Sir or Madam,",), "closing": ("Yours faithfully,",),
              "intro": ("Please find the agreed details below.",),
              "register": ("Registered in England and Wales No. {reg} · Registered office: {address}",),
              "directors": ("Directors: {people}",), "vat": ("VAT Reg. No. {vat}",)},
    "ho_de": {"sign": ("Unterschrift des Kunden",), "place_date": ("Ort, Datum",),
              "salutation": ("Sehr geehrte Damen und Herren,",), "closing": ("Mit freundlichen Grüßen",),
              "intro": ("hiermit bestätigen wir die folgenden Angaben.",),
              "register": ("Amtsgericht {court} HRB {reg} · Sitz der Gesellschaft: {city}",),
              "directors": ("Geschäftsführer: {people}",), "vat": ("USt-IdNr. {vat}",)},
    "fr": {"sign": ("Signature et cachet du client",), "place_date": ("Lieu et date",),
           "salutation": ("Madame, Monsieur,",), "closing": ("Veuillez agréer nos salutations distinguées.",),
           "intro": ("Veuillez trouver ci-dessous les éléments convenus.",),
           "register": ("RCS {court} {reg} · Siège social : {address}",), "directors": ("Gérant : {people}",),
           "vat": ("N° TVA {vat}",)},
    "nl": {"sign": ("Handtekening klant",), "place_date": ("Plaats en datum",),
           "salutation": ("Geachte heer, mevrouw,",), "closing": ("Met vriendelijke groet,",),
           "intro": ("Hieronder vindt u de afgesproken gegevens.",),
           "register": ("KvK {reg} · Statutair gevestigd te {city}",), "directors": ("Directie: {people}",),
           "vat": ("Btw-nr. {vat}",)},
    "hb_en": {"sign": ("Authorised signatory",), "place_date": ("Place, date",),
              "salutation": ("Dear Customer,",), "closing": ("Kind regards,",),
              "intro": ("The details below apply from the date shown.",),
              "register": ("Company No. {reg} · Registered office: {address}",), "directors": ("Board: {people}",),
              "vat": ("VAT {vat}",)},
    "hb_de": {"sign": ("Stempel und Unterschrift",), "place_date": ("Ort und Datum",),
              "salutation": ("Guten Tag,",), "closing": ("Freundliche Grüße",),
              "intro": ("für Ihre Unterlagen die vereinbarten Daten:",),
              "register": ("Registergericht {court} HRB {reg}",), "directors": ("Vorstand: {people}",),
              "vat": ("USt-ID {vat}",)},
    "hb_fr": {"sign": ("Lu et approuvé, signature",), "place_date": ("À, le",),
              "salutation": ("Chère cliente, cher client,",), "closing": ("Bien cordialement,",),
              "intro": ("Voici les informations retenues.",),
              "register": ("SAS au capital de 10 000 € · RCS {court} {reg}",), "directors": ("Président : {people}",),
              "vat": ("TVA {vat}",)},
    "es": {"sign": ("Firma del cliente",), "place_date": ("Lugar y fecha",),
           "salutation": ("Estimados señores:",), "closing": ("Atentamente,",),
           "intro": ("A continuación figuran los datos acordados.",),
           "register": ("Inscrita en el Registro Mercantil de {court}, hoja {reg}",),
           "directors": ("Administrador: {people}",), "vat": ("NIF {vat}",)},
}

_DEV_TEXTS: _V = {"sign": ("Signature",), "place_date": ("Signature date",)}
_DEV_DE_TEXTS: _V = {"sign": ("Unterschrift",), "place_date": ("Datum der Unterschrift",)}


def pick(options: tuple[str, ...], variant: str, key: str) -> str:
    """One of ``options``, the same for every document of layout ``variant`` (stable across runs)."""
    digest = hashlib.sha256(f"{variant}:{key}".encode()).digest()
    return options[digest[0] % len(options)]


def crm_label(vocabulary: str, field_name: str, variant: str) -> str:
    """The printed label of ``field_name`` in ``vocabulary`` for layout ``variant``."""
    return pick(LABELS[vocabulary][field_name], variant, field_name)


def crm_title(vocabulary: str, document_type: str, variant: str) -> str:
    """The printed title of a ``document_type`` in ``vocabulary`` for layout ``variant``."""
    return pick(TITLES[vocabulary][document_type], variant, f"title_{document_type}")


def crm_phrase(vocabulary: str, key: str, variant: str, n: int = 0) -> str:
    """A printed value phrase (renewal, frequency, duration) with ``n`` filled in."""
    return pick(PHRASES[vocabulary][key], variant, f"phrase_{key}").format(n=n)


def crm_text(vocabulary: str, key: str, variant: str) -> str:
    """A printed sentence of the frame (signature block, letter, footer) in ``vocabulary``."""
    table = TEXTS.get(vocabulary, _DEV_DE_TEXTS if vocabulary == "dev_de" else _DEV_TEXTS)
    return pick(table.get(key, _DEV_TEXTS.get(key, ("",))), variant, f"text_{key}")
