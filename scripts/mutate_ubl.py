#!/usr/bin/env python3
"""Writes deterministic mutants of UBL 2.1 invoices and credit notes and of UN/CEFACT CII D16B
invoices, for differential tests of the validator against the official oracle
(tests/formats/validation/mutation_agreement_check.py). The name is historical: CII came later.

Each mutant is one seed document with 1 to 3 realistic edits, chosen by a random generator with a
fixed seed (--seed), so the same arguments always give the same files. The edits follow the
syntax of the seed:

    delete       remove an element (a leaf or a whole aggregate)
    duplicate    repeat an element right after itself
    number       amounts, quantities, percentages (any element whose name ends in Amount,
                 Quantity or Percent: cbc:PayableAmount, ram:BilledQuantity,
                 ram:RateApplicablePercent, ...): +-0.01, x10, negative, 1.005, many decimals,
                 empty, "abc", "1e3", " 12 ", ...; for CII also +-0.005 and half cents such
                 as 2.675 (the CII rules sum untyped amounts as doubles)
    code         currency, VAT category (S Z E AE K G O L M), tax scheme (VAT vat GST ''),
                 country, unit, scheme identifiers (0088 0192 9999 ''; VA FC for CII tax
                 registrations), payment means, document type codes, charge indicators,
                 allowance/charge reasons, VAT exemption reasons, valid and invalid
    date         UBL: 2024-02-30, empty, 2024-1-5, 2024-01-05Z, +02:00 zones, ...
                 CII (udt:DateTimeString and kin, @format="102"): 20240230, 2024-01-05, empty,
                 2024010, 20241301, ..., or @format changed or deleted
    text         empty, whitespace only, very long, non-ASCII ("Põhja Ärilised ÕÜ",
                 "GODKÄND FÖR F-SKATT" and its case variants), national VAT numbers
    swap         UBL: Invoice <-> CreditNote specific names (root, lines, quantities, type codes)
                 CII: names the rules tell apart (ApplicableTradeTax <-> CategoryTradeTax,
                 ActualAmount <-> BasisAmount, GlobalID <-> ID, ...; udt <-> qdt DateTimeString)
    spec         UBL: remove or alter cbc:CustomizationID / cbc:ProfileID
                 CII: remove or alter the specification identifier (BT-24,
                 rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID)
                 or the business process (BT-23)
    attribute    delete, change or move currencyID / schemeID / unitCode / listID (CII: also
                 format and listVersionID)
    extra        CII only: an attribute or a child element that D16B has and the EN16931 subset
                 does not use (schemeAgencyID, ram:ParentLineID, ram:InformationAmount, ...:
                 the CII-SR-* and CII-DT-* rules)

The documents stay well-formed XML and keep their namespace prefixes (the Schematron rules do
not depend on prefixes, but realistic documents keep them). Comments are dropped.
A manifest, mutants.tsv, lists for each mutant its seed and the edits applied, one edit per
"; "-separated item, with the path of the element edited.

    scripts/mutate_ubl.py [--seed S] [--count N] [--cii-share F] [--max-seed-size BYTES] -o OUT SEED...

SEED is a UBL or CII file or a folder (searched recursively for *.xml); files whose root is not
a UBL Invoice or CreditNote or a CII CrossIndustryInvoice (SBDH envelopes, test sets, other
documents) are skipped, as are files larger than --max-seed-size (default 256 KiB, which leaves
out the 3.3 MB Italian UBL example and the largest XRechnung and Factur-X test files: they make
the oracle slow without reaching other rules). When there are seeds of both syntaxes, each
mutant is a CII one with probability --cii-share (default 1/3), so that the share does not
depend on how many seeds each syntax has. With seeds of one syntax only the generator draws
exactly as it did before CII was added: the UBL mutants of a given --seed are unchanged."""
import argparse
import copy
import decimal
import os
import random
import sys
import xml.etree.ElementTree as ET

INV = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'
CRN = 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2'
CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'
CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2'
XMLNS = 'http://www.w3.org/XML/1998/namespace'
RSM = 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100'
RAM = 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100'
UDT = 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100'
QDT = 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100'
KNOWN_PREFIXES = {CBC: 'cbc', CAC: 'cac', XMLNS: 'xml',
                  'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2': 'ext',
                  RSM: 'rsm', RAM: 'ram', UDT: 'udt', QDT: 'qdt'}
ROOTS = {'{%s}Invoice' % INV: 'ubl', '{%s}CreditNote' % CRN: 'ubl', '{%s}CrossIndustryInvoice' % RSM: 'cii'}

PEPPOL_CUSTOMIZATION = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0'

NUMBER_VALUES = ['0', '-0', '0.00', '1.005', '12.3456789', '0.000000000000000001', '-100.00', '1e3', '1E-2',
                 ' 12 ', '', 'abc', '1,50', '+5', '.5', '5.', 'NaN', 'INF', '12 EUR',
                 '123456789012345678901234567890.12', '99999999999999.99',
                 # 30 decimal places: the most eigw's decimals hold exactly (38 digits in all). Beyond
                 # that eigw reports the rule as not evaluable while Saxon computes exactly; see
                 # docs/validation.md and tests/data/validation/mutants/BR-CO-10-decimal-scale.xml.
                 '1.000000000000000000000000000001']
CURRENCIES = ['EUR', 'NOK', 'SEK', 'DKK', 'USD', 'GBP', 'XXX', 'XYZ', 'eur', 'EURO', '', ' EUR ']
VAT_CATEGORIES = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M', 'B', 's', 'X', '']
VAT_PERCENTS = ['0', '25', '19', '21', '7', '12.5', '-25', '']
COUNTRIES = ['NO', 'SE', 'DK', 'DE', 'NL', 'IT', 'GR', 'EL', 'FR', 'BE', 'AT', 'IS', 'XX', 'de', '1A', '']
UNITS = ['C62', 'EA', 'H87', 'HUR', 'KGM', 'XYZ', 'c62', '']
SCHEMES = ['0088', '0192', '0007', '0184', '0096', '0204', '0208', '9925', '0106', '0211', '9999', '', 'GLN']
PAYMENT_MEANS = ['30', '31', '58', '49', '59', '1', '97', 'ZZZ', '42', '48', '999', '']
INVOICE_TYPES = ['380', '381', '383', '384', '389', '326', '751', '875', '393', '999', '']
CREDIT_TYPES = ['381', '380', '396', '532', '261', '999', '']
CHARGE_INDICATORS = ['true', 'false', 'TRUE', ' true ', '1', '0', '']
REASON_CODES = ['95', '100', '41', 'ZZZ', 'AA', 'ABL', 'FC', '999', '']
EXEMPTION_CODES = ['VATEX-EU-O', 'VATEX-EU-AE', 'VATEX-EU-IC', 'VATEX-EU-G', 'VATEX-EU-79-C', 'vatex-eu-o',
                   'VATEX-XX', '']
MIME_CODES = ['application/pdf', 'image/png', 'text/xml', 'text/csv', '']
DATE_VALUES = ['2024-02-30', '', '2024-1-5', '2024-01-05Z', '2024-01-05+02:00', '2024-01-05-05:00', '2024-13-01',
               '20240105', ' 2024-01-05 ', '2024-02-29', '2023-02-29', '1999-12-31', '2099-01-01',
               '2024-01-05T10:00:00', '0000-01-01']
TEXT_VALUES = ['', '   ', '\n\t', 'Põhja Ärilised ÕÜ', 'GODKÄND FÖR F-SKATT', 'Godkänd för F-skatt',
               'godkänd för f-skatt', 'Godkänd för F-Skatt', 'Ελληνική Εταιρεία ΑΕ', 'Straße 5 ß',
               'Zürich & Co <AG>', 'İstanbul', 'x' * 1200, 'A', ' padded ']
VAT_IDS = ['SE556677889901', 'NO999999999MVA', 'DE123456789', 'EL123456789', 'GR123456789', 'IT12345678901',
           'NL123456789B01', 'DK12345678', 'BE0123456789', 'GB123456789', '123456789', 'se556677889901', '']
ORG_IDS = ['5567788990', '556677-8990', '999999999', '12345678', '7300010000001', '7300010000002',
           '00000000000', 'IT:12345', '']
LINE_IDS = ['1', '1', '2', '10', '', 'A-1']

CUSTOMIZATIONS = [None, '', '   ', 'urn:cen.eu:en16931:2017', PEPPOL_CUSTOMIZATION,
                  ' ' + PEPPOL_CUSTOMIZATION + ' ', PEPPOL_CUSTOMIZATION + '#conformant#urn:fdc:peppol.eu:2017:poacc:billing:international:aunz:3.0',
                  'urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0',
                  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:2.0', 'foo']
PROFILES = [None, '', 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0', 'urn:fdc:peppol.eu:2017:poacc:billing:02:1.0',
            'urn:fdc:peppol.eu:2017:poacc:billing:1:1.0', 'urn:www.cenbii.eu:profile:bii04:ver2.0', 'foo']

# CII (the values above serve both syntaxes where the code lists are the same).
CII_DOCUMENT_TYPES = ['380', '381', '383', '384', '389', '326', '751', '875', '396', '532', '261', '999', '']
CII_TAX_SCHEMES = ['VA', 'FC', 'VAT', 'va', '0088', '']
CII_DUE_DATE_TYPES = ['5', '29', '72', '3', '']
CII_SUBJECT_CODES = ['AAI', 'REG', 'ABL', 'TXD', 'SUR', 'PMT', 'XYZ', '']
CII_REFERENCE_TYPES = ['916', '50', '130', '1', '']
CII_CLASS_LISTS = ['STI', 'IB', 'HS', 'TST', 'ZZZ', '']
# udt:DateTimeString with format="102" is YYYYMMDD.
CII_DATE_VALUES = ['20240230', '2024-01-05', '', '2024010', '20241301', '20240229', '20230229', '20240105',
                   ' 20240105 ', '202401051', '20240100', '00000101', '19991231', '20991231', '2024O105',
                   '20240105+0200']
CII_DATE_FORMATS = ['', '203', '610', '616', '102 ', 'abc']
CII_SPECIFICATIONS = [None, None, '', '   ', 'urn:cen.eu:en16931:2017',
                      'urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0',
                      'urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended',
                      'urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:en16931', 'urn:factur-x.eu:1p0:basic',
                      'urn:factur-x.eu:1p0:minimum', 'urn:factur-x.eu:1p0:basicwl', PEPPOL_CUSTOMIZATION, 'foo']
CII_PROCESSES = [None, '', 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0', 'A1', 'foo']
CII_TEXT_NAMES = ('Name', 'LineOne', 'LineTwo', 'LineThree', 'CityName', 'PostcodeCode', 'CountrySubDivisionName',
                  'Content', 'Description', 'URIID', 'CompleteNumber', 'PersonName', 'DepartmentName', 'Reason',
                  'ExemptionReason', 'Information', 'IssuerAssignedID', 'BuyerReference', 'PaymentReference',
                  'TradingBusinessName', 'IBANID', 'ProprietaryID', 'AccountName', 'ID', 'LineID', 'GlobalID',
                  'SellerAssignedID', 'BuyerAssignedID')
CII_SWAPS = {'ApplicableTradeTax': 'CategoryTradeTax', 'CategoryTradeTax': 'ApplicableTradeTax',
             'ActualAmount': 'BasisAmount', 'BasisAmount': 'ActualAmount',
             'CalculationPercent': 'RateApplicablePercent', 'RateApplicablePercent': 'CalculationPercent',
             'GlobalID': 'ID', 'GrandTotalAmount': 'DuePayableAmount', 'DuePayableAmount': 'GrandTotalAmount',
             'SellerTradeParty': 'BuyerTradeParty', 'BuyerTradeParty': 'SellerTradeParty',
             'PayeeTradeParty': 'SellerTaxRepresentativeTradeParty',
             'SellerTaxRepresentativeTradeParty': 'PayeeTradeParty',
             'ChargeAmount': 'BasisAmount', 'LineTotalAmount': 'TaxBasisTotalAmount'}
# Half cents whose nearest double is below or above the decimal value (2.675 is 2.67499999...
# as a double): the CII rules sum untyped amounts as doubles and then cast to xs:decimal. And a
# negative zero, which the CII rules compare as untyped text with numbers (BR-Z-09 and kin).
CII_NUMBER_VALUES = ['2.675', '1.005', '0.285', '1.115', '8.345', '0.015', '10.075', '-2.675', '0.125', '-0.00']
# What an EXTENDED or national CII generator adds that the EN16931 subset does not use (the
# CII-SR-* and CII-DT-* rules): D16B attributes and children, by the local name of the parent.
CII_UNUSED_ATTRIBUTES = ['schemeName', 'schemeAgencyID', 'schemeAgencyName', 'schemeVersionID', 'schemeDataURI',
                         'schemeURI', 'listAgencyID', 'listVersionID', 'listURI', 'languageID', 'languageLocaleID',
                         'name', 'unitCodeListID', 'unitCodeListAgencyID', 'unitCodeListAgencyName',
                         'currencyCodeListVersionID']
CII_UNUSED_CHILDREN = {
    'ExchangedDocumentContext': ['TestIndicator/udt:Indicator', 'SpecifiedTransactionID',
                                 'ApplicationSpecifiedDocumentContextParameter/ID'],
    'ExchangedDocument': ['Name', 'PurposeCode', 'CopyIndicator/udt:Indicator', 'LanguageID', 'CategoryCode'],
    'IncludedSupplyChainTradeLineItem': ['ParentLineID', 'DescriptionCode'],
    'AssociatedDocumentLineDocument': ['LineStatusCode', 'IncludedNote/SubjectCode'],
    'SpecifiedTradeProduct': ['ID', 'IndustryAssignedID', 'BatchID', 'BrandName', 'NetWeightMeasure',
                              'ApplicableProductCharacteristic/ValueMeasure'],
    'SpecifiedLineTradeAgreement': ['BuyerReference', 'GrossPriceProductTradePrice/TypeCode',
                                    'NetPriceProductTradePrice/OrderUnitConversionFactorNumeric'],
    'SpecifiedLineTradeDelivery': ['ChargeFreeQuantity', 'PackageQuantity', 'ActualDeliverySupplyChainEvent'],
    'SpecifiedLineTradeSettlement': ['SpecifiedFinancialAdjustment', 'InvoiceReferencedDocument/IssuerAssignedID'],
    'SpecifiedTradeSettlementLineMonetarySummation': ['InformationAmount', 'ChargeTotalAmount'],
    'SellerTradeParty': ['RoleCode', 'DefinedTradeContact/TypeCode'],
    'BuyerTradeParty': ['RoleCode', 'SpecifiedLegalOrganization/PostalTradeAddress/CountryID'],
    'ApplicableHeaderTradeAgreement': ['SalesAgentTradeParty/Name', 'QuotationReferencedDocument/IssuerAssignedID'],
    'ApplicableHeaderTradeDelivery': ['ActualPickUpSupplyChainEvent', 'ShipToTradeParty/SpecifiedLegalOrganization'],
    'ApplicableHeaderTradeSettlement': ['InvoiceIssuerReference', 'InvoicerTradeParty/Name', 'PayerTradeParty/Name'],
    'SpecifiedTradeSettlementPaymentMeans': ['PaymentMethodCode', 'PayerSpecifiedDebtorFinancialInstitution/BICID'],
    'SpecifiedTradeAllowanceCharge': ['SequenceNumeric', 'BasisQuantity', 'RateApplicablePercent'],
    'SpecifiedTradeSettlementHeaderMonetarySummation': ['NetLineTotalAmount', 'InformationAmount',
                                                        'TotalAllowanceChargeAmount'],
    'ApplicableTradeTax': ['TaxPointDate/udt:DateString', 'LineTotalBasisAmount', 'AllowanceChargeBasisAmount'],
}
CII_MOVABLE_ATTRIBUTES = ['currencyID', 'schemeID', 'unitCode', 'listID', 'listVersionID', 'mimeCode', 'filename',
                          'format']

SWAPS = {'InvoiceLine': 'CreditNoteLine', 'CreditNoteLine': 'InvoiceLine',
         'InvoicedQuantity': 'CreditedQuantity', 'CreditedQuantity': 'InvoicedQuantity',
         'InvoiceTypeCode': 'CreditNoteTypeCode', 'CreditNoteTypeCode': 'InvoiceTypeCode'}
MOVABLE_ATTRIBUTES = ['currencyID', 'schemeID', 'unitCode', 'listID', 'mimeCode', 'filename']


def local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def ns_of(tag):
    return tag[1:].split('}', 1)[0] if isinstance(tag, str) and tag.startswith('{') else ''


def syntax_of(path):
    """'ubl' or 'cii' from the root element of `path`; None for anything else (or not XML)."""
    try:
        for event, elem in ET.iterparse(path, events=('start',)):
            return ROOTS.get(elem.tag)
    except (ET.ParseError, OSError):
        return None
    return None


def load(path):
    """The tree and the (prefix, uri) declarations of `path`, first declaration of a URI wins."""
    prefixes = {}
    for event, item in ET.iterparse(path, events=('start-ns',)):
        prefix, uri = item
        prefixes.setdefault(uri, prefix)
    return ET.parse(path), prefixes


# ---- serialization that keeps the document's prefixes ----

def escape(text, attribute=False):
    text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    if attribute:
        text = text.replace('"', '&quot;').replace('\n', '&#10;').replace('\t', '&#9;').replace('\r', '&#13;')
    else:
        text = text.replace('\r', '&#13;')
    return text


def serialize(root, prefixes):
    uris = {}
    for elem in root.iter():
        for name in [elem.tag] + list(elem.attrib):
            u = ns_of(name)
            if u:
                uris[u] = True
    mapping = {}
    used = set()
    for u in uris:
        p = prefixes.get(u, KNOWN_PREFIXES.get(u))
        if p is None or p in used:
            n = 0
            while f'ns{n}' in used:
                n += 1
            p = f'ns{n}'
        mapping[u] = p
        used.add(p)
    # An attribute in a namespace needs a non-empty prefix.
    attr_map = dict(mapping)
    for elem in root.iter():
        for name in elem.attrib:
            u = ns_of(name)
            if u and attr_map[u] == '':
                n = 0
                while f'a{n}' in used:
                    n += 1
                attr_map[u] = f'a{n}'
                used.add(f'a{n}')

    def qname(name, attribute):
        u = ns_of(name)
        if not u:
            return name
        p = (attr_map if attribute else mapping)[u]
        if u == XMLNS:
            p = 'xml'
        return f'{p}:{local(name)}' if p else local(name)

    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']

    def write(elem, top):
        out.append('<' + qname(elem.tag, False))
        if top:
            for u, p in mapping.items():
                if u != XMLNS:
                    out.append(f' xmlns{":" + p if p else ""}="{escape(u, True)}"')
            for u, p in attr_map.items():
                if u != XMLNS and p != mapping[u]:
                    out.append(f' xmlns:{p}="{escape(u, True)}"')
        for name, value in elem.attrib.items():
            out.append(f' {qname(name, True)}="{escape(value, True)}"')
        if elem.text is None and len(elem) == 0:
            out.append('/>')
        else:
            out.append('>')
            if elem.text:
                out.append(escape(elem.text))
            for child in elem:
                write(child, False)
            out.append('</' + qname(elem.tag, False) + '>')
        if elem.tail and not top:
            out.append(escape(elem.tail))

    write(root, True)
    out.append('\n')
    return ''.join(out)


# ---- the mutations ----

class Mutator:
    def __init__(self, rng, root):
        self.rng = rng
        self.root = root
        self.cii = ROOTS.get(root.tag) == 'cii'  # else UBL: the edits follow the syntax
        self.parents = {}
        self.reindex()

    def reindex(self):
        self.parents = {c: p for p in self.root.iter() for c in p}

    def path(self, elem):
        parts = []
        while elem is not None:
            parent = self.parents.get(elem)
            name = local(elem.tag)
            if parent is not None:
                same = [c for c in parent if c.tag == elem.tag]
                name += f'[{same.index(elem) + 1}]' if len(same) > 1 else ''
            parts.append(name)
            elem = parent
        return '/' + '/'.join(reversed(parts))

    def elements(self, pred=lambda e: True):
        return [e for e in self.root.iter() if e is not self.root and isinstance(e.tag, str) and pred(e)]

    def leaf(self, e):
        return len(e) == 0

    def set_text(self, e, value):
        e.text = value if value != '' else None
        for c in list(e):
            e.remove(c)

    def choose(self, seq):
        return seq[self.rng.randrange(len(seq))]

    # Each returns a description, or None when the document has nothing to edit this way.

    def m_delete(self):
        aggregate = self.rng.random() < 0.35
        cands = self.elements(lambda e: (len(e) > 0) == aggregate)
        if not cands:
            return None
        e = self.choose(cands)
        where = self.path(e)
        self.parents[e].remove(e)
        self.reindex()
        return f'delete {where}'

    def m_duplicate(self):
        cands = self.elements()
        if not cands:
            return None
        e = self.choose(cands)
        parent = self.parents[e]
        where = self.path(e)
        clone = copy.deepcopy(e)
        parent.insert(list(parent).index(e) + 1, clone)
        self.reindex()
        return f'duplicate {where}'

    def m_number(self):
        numeric = ('Amount', 'Quantity', 'Percent', 'MultiplierFactorNumeric')
        cands = self.elements(lambda e: self.leaf(e) and local(e.tag).endswith(numeric))
        if not cands:
            return None
        e = self.choose(cands)
        old = (e.text or '').strip()
        r = self.rng.random()
        value = None
        try:
            d = decimal.Decimal(old)
            if r < 0.15:
                value = str(d + decimal.Decimal('0.01'))
            elif r < 0.25:
                value = str(d - decimal.Decimal('0.01'))
            elif r < 0.35:
                value = str(d * 10)
            elif r < 0.45:
                value = str(-d)
            elif self.cii and r < 0.55:
                value = str(d + decimal.Decimal('0.005') if r < 0.5 else d - decimal.Decimal('0.005'))
        except decimal.InvalidOperation:
            pass  # not a number yet: take one of the odd values
        if value is None:
            value = self.choose(NUMBER_VALUES + CII_NUMBER_VALUES if self.cii else NUMBER_VALUES)
        self.set_text(e, value)
        return f'number {self.path(e)} = {value!r}'

    def code_values(self, e):
        if self.cii:
            return self.cii_code_values(e)
        name = local(e.tag)
        parent = local(self.parents[e].tag)
        if name in ('DocumentCurrencyCode', 'TaxCurrencyCode'):
            return CURRENCIES
        if name == 'ID' and parent in ('TaxCategory', 'ClassifiedTaxCategory'):
            return VAT_CATEGORIES
        if name == 'ID' and parent == 'TaxScheme':
            return ['VAT', 'vat', 'GST', '']
        if name == 'ID' and parent in ('InvoiceLine', 'CreditNoteLine'):
            return LINE_IDS
        if name == 'Percent' and parent in ('TaxCategory', 'ClassifiedTaxCategory'):
            return VAT_PERCENTS
        if name == 'IdentificationCode' and parent == 'Country':
            return COUNTRIES
        if name == 'PaymentMeansCode':
            return PAYMENT_MEANS
        if name == 'InvoiceTypeCode':
            return INVOICE_TYPES
        if name == 'CreditNoteTypeCode':
            return CREDIT_TYPES
        if name == 'ChargeIndicator':
            return CHARGE_INDICATORS
        if name == 'AllowanceChargeReasonCode':
            return REASON_CODES
        if name == 'TaxExemptionReasonCode':
            return EXEMPTION_CODES
        if name == 'CompanyID' and parent == 'PartyTaxScheme':
            return VAT_IDS + TEXT_VALUES[3:8]
        if name in ('CompanyID', 'ID', 'EndpointID') and parent in ('PartyLegalEntity', 'PartyIdentification', 'Party'):
            return ORG_IDS
        return None

    def cii_code_values(self, e):
        name = local(e.tag)
        parent = local(self.parents[e].tag)
        if name in ('InvoiceCurrencyCode', 'TaxCurrencyCode'):
            return CURRENCIES
        if name == 'CategoryCode' and parent in ('ApplicableTradeTax', 'CategoryTradeTax'):
            return VAT_CATEGORIES
        if name == 'TypeCode' and parent in ('ApplicableTradeTax', 'CategoryTradeTax'):
            return ['VAT', 'vat', 'GST', '']
        if name == 'TypeCode' and parent == 'ExchangedDocument':
            return CII_DOCUMENT_TYPES
        if name == 'TypeCode' and parent == 'SpecifiedTradeSettlementPaymentMeans':
            return PAYMENT_MEANS
        if name == 'TypeCode' and parent.endswith('ReferencedDocument'):
            return CII_REFERENCE_TYPES
        if name == 'RateApplicablePercent' and parent in ('ApplicableTradeTax', 'CategoryTradeTax'):
            return VAT_PERCENTS
        if name == 'CountryID':
            return COUNTRIES
        if name == 'Indicator' and parent == 'ChargeIndicator':
            return CHARGE_INDICATORS
        if name == 'ReasonCode':
            return REASON_CODES
        if name == 'ExemptionReasonCode':
            return EXEMPTION_CODES
        if name == 'DueDateTypeCode':
            return CII_DUE_DATE_TYPES
        if name == 'SubjectCode':
            return CII_SUBJECT_CODES
        if name == 'LineID':
            return LINE_IDS
        if name == 'ID' and parent == 'SpecifiedTaxRegistration':
            return VAT_IDS + TEXT_VALUES[3:8]
        if name in ('ID', 'GlobalID') and parent in ('SpecifiedLegalOrganization', 'SellerTradeParty',
                                                    'BuyerTradeParty', 'PayeeTradeParty'):
            return ORG_IDS
        return None

    def cii_attribute_values(self, e, a):
        if a == 'schemeID' and local(self.parents[e].tag) == 'SpecifiedTaxRegistration':
            return CII_TAX_SCHEMES
        return {'currencyID': CURRENCIES, 'unitCode': UNITS, 'schemeID': SCHEMES + ['EM'],
                'listID': CII_CLASS_LISTS}[a]

    def m_code(self):
        cands = self.elements(lambda e: self.leaf(e) and self.code_values(e) is not None)
        names = ('currencyID', 'unitCode', 'schemeID', 'listID') if self.cii else ('currencyID', 'unitCode', 'schemeID')
        attr_cands = [(e, a) for e in self.elements() for a in names if a in e.attrib]
        if not cands and not attr_cands:
            return None
        if attr_cands and (not cands or self.rng.random() < 0.4):
            e, a = self.choose(attr_cands)
            if self.cii:
                values = self.cii_attribute_values(e, a)
            else:
                values = {'currencyID': CURRENCIES, 'unitCode': UNITS, 'schemeID': SCHEMES}[a]
            value = self.choose(values)
            e.set(a, value)
            return f'code {self.path(e)}/@{a} = {value!r}'
        e = self.choose(cands)
        value = self.choose(self.code_values(e))
        self.set_text(e, value)
        return f'code {self.path(e)} = {value!r}'

    def m_date(self):
        if self.cii:
            return self.m_cii_date()
        cands = self.elements(lambda e: self.leaf(e) and local(e.tag).endswith('Date'))
        if not cands:
            return None
        e = self.choose(cands)
        value = self.choose(DATE_VALUES)
        self.set_text(e, value)
        return f'date {self.path(e)} = {value!r}'

    def m_cii_date(self):
        # udt:DateTimeString (dates of the invoice, periods, delivery, payment terms),
        # qdt:DateTimeString (dates of referenced documents), udt:DateString (tax point date).
        cands = self.elements(lambda e: self.leaf(e) and local(e.tag) in ('DateTimeString', 'DateString'))
        if not cands:
            return None
        e = self.choose(cands)
        r = self.rng.random()
        if r < 0.15 and 'format' in e.attrib:
            del e.attrib['format']
            return f'date delete {self.path(e)}/@format'
        if r < 0.3:
            value = self.choose(CII_DATE_FORMATS)
            e.set('format', value)
            return f'date {self.path(e)}/@format = {value!r}'
        value = self.choose(CII_DATE_VALUES)
        self.set_text(e, value)
        return f'date {self.path(e)} = {value!r}'

    def m_text(self):
        if self.cii:
            names = CII_TEXT_NAMES
        else:
            names = ('Name', 'RegistrationName', 'StreetName', 'AdditionalStreetName', 'CityName', 'PostalZone',
                     'CountrySubentity', 'Note', 'Description', 'CompanyID', 'CompanyLegalForm', 'ElectronicMail',
                     'Telephone', 'PaymentID', 'BuyerReference', 'TaxExemptionReason', 'AllowanceChargeReason',
                     'ID', 'EndpointID', 'AccountingCost', 'OrderReference')
        cands = self.elements(lambda e: self.leaf(e) and local(e.tag) in names)
        if not cands:
            return None
        e = self.choose(cands)
        value = self.choose(TEXT_VALUES)
        if local(e.tag) == 'CompanyID' and self.rng.random() < 0.6:
            value = self.choose(VAT_IDS + ORG_IDS)
        if self.cii and local(self.parents[e].tag) == 'SpecifiedTaxRegistration' and self.rng.random() < 0.6:
            value = self.choose(VAT_IDS + ORG_IDS)
        self.set_text(e, value)
        return f'text {self.path(e)} = {value[:30]!r}{"..." if len(value) > 30 else ""}'

    def m_cii_swap(self):
        if self.rng.random() < 0.2:
            # udt <-> qdt: the rules name the namespace of DateTimeString.
            cands = self.elements(lambda e: local(e.tag) == 'DateTimeString')
            if not cands:
                return None
            e = self.choose(cands)
            e.tag = '{%s}DateTimeString' % (QDT if ns_of(e.tag) == UDT else UDT)
            return f'swap {self.path(e)} -> {"qdt" if ns_of(e.tag) == QDT else "udt"}:DateTimeString'
        cands = self.elements(lambda e: local(e.tag) in CII_SWAPS and ns_of(e.tag) == RAM)
        if not cands:
            return None
        e = self.choose(cands)
        where = self.path(e)
        e.tag = '{%s}%s' % (RAM, CII_SWAPS[local(e.tag)])
        return f'swap {where} -> {local(e.tag)}'

    def m_swap(self):
        if self.cii:
            return self.m_cii_swap()
        if self.rng.random() < 0.25:
            # The root: Invoice <-> CreditNote, keeping the children.
            if self.root.tag == '{%s}Invoice' % INV:
                self.root.tag = '{%s}CreditNote' % CRN
            else:
                self.root.tag = '{%s}Invoice' % INV
            return f'swap root -> {local(self.root.tag)}'
        cands = self.elements(lambda e: local(e.tag) in SWAPS and ns_of(e.tag) in (CBC, CAC))
        if not cands:
            return None
        e = self.choose(cands)
        where = self.path(e)
        e.tag = '{%s}%s' % (ns_of(e.tag), SWAPS[local(e.tag)])
        return f'swap {where} -> {local(e.tag)}'

    def m_cii_spec(self):
        """BT-24 (GuidelineSpecifiedDocumentContextParameter) or BT-23 (BusinessProcess...)."""
        guideline = self.rng.random() < 0.75
        parameter = ('Guideline' if guideline else 'BusinessProcess') + 'SpecifiedDocumentContextParameter'
        value = self.choose(CII_SPECIFICATIONS if guideline else CII_PROCESSES)
        context = self.root.find('{%s}ExchangedDocumentContext' % RSM)
        p = context.find('{%s}%s' % (RAM, parameter)) if context is not None else None
        e = p.find('{%s}ID' % RAM) if p is not None else None
        if value is None:
            if e is None:
                return None
            if self.rng.random() < 0.5:
                p.remove(e)
                self.reindex()
                return f'spec delete {parameter}/ID'
            context.remove(p)
            self.reindex()
            return f'spec delete {parameter}'
        if context is None:
            context = ET.Element('{%s}ExchangedDocumentContext' % RSM)
            self.root.insert(0, context)
        if p is None:
            p = ET.Element('{%s}%s' % (RAM, parameter))
            # BusinessProcess... comes before Guideline... (after an optional TestIndicator).
            at = len(context) if guideline else len([c for c in context if local(c.tag) == 'TestIndicator'])
            context.insert(at, p)
        if e is None:
            e = ET.SubElement(p, '{%s}ID' % RAM)
        self.reindex()
        self.set_text(e, value)
        return f'spec {parameter}/ID = {value!r}'

    def m_spec(self):
        if self.cii:
            return self.m_cii_spec()
        name = 'CustomizationID' if self.rng.random() < 0.6 else 'ProfileID'
        values = CUSTOMIZATIONS if name == 'CustomizationID' else PROFILES
        value = self.choose(values)
        e = self.root.find('{%s}%s' % (CBC, name))
        if value is None:
            if e is None:
                return None
            self.root.remove(e)
            self.reindex()
            return f'spec delete {name}'
        if e is None:
            e = ET.Element('{%s}%s' % (CBC, name))
            e.tail = '\n  '
            self.root.insert(0 if name == 'CustomizationID' else 1, e)
            self.reindex()
        self.set_text(e, value)
        return f'spec {name} = {value!r}'

    def m_attribute(self):
        movable = CII_MOVABLE_ATTRIBUTES if self.cii else MOVABLE_ATTRIBUTES
        cands = [(e, a) for e in self.elements() for a in movable if a in e.attrib]
        if not cands:
            return None
        e, a = self.choose(cands)
        where = self.path(e)
        r = self.rng.random()
        if r < 0.4:
            del e.attrib[a]
            return f'attribute delete {where}/@{a}'
        if r < 0.55:
            value = self.choose(['', ' ', 'EUR ', 'abc'])
            e.set(a, value)
            return f'attribute {where}/@{a} = {value!r}'
        # Move it to another leaf (an amount, an identifier, anything).
        targets = self.elements(lambda t: self.leaf(t) and t is not e and a not in t.attrib)
        if not targets:
            return None
        t = self.choose(targets)
        t.set(a, e.attrib.pop(a))
        return f'attribute move {where}/@{a} -> {self.path(t)}'

    def m_extra(self):
        """CII only: an attribute or a child that D16B has and the EN16931 subset does not use."""
        if self.rng.random() < 0.4:
            cands = self.elements(self.leaf)
            if not cands:
                return None
            e = self.choose(cands)
            a = self.choose(CII_UNUSED_ATTRIBUTES)
            e.set(a, self.choose(['1', 'x', '']))
            return f'extra {self.path(e)}/@{a}'
        cands = self.elements(lambda e: ns_of(e.tag) in (RSM, RAM) and local(e.tag) in CII_UNUSED_CHILDREN)
        if not cands:
            return None
        e = self.choose(cands)
        where = self.path(e)
        child = self.choose(CII_UNUSED_CHILDREN[local(e.tag)])
        parent = e
        for step in child.split('/'):
            ns, name = (UDT, step[4:]) if step.startswith('udt:') else (RAM, step)
            parent = ET.SubElement(parent, '{%s}%s' % (ns, name))
        parent.text = '1'
        self.reindex()
        return f'extra {where}/{child}'

    KINDS = [('delete', 14), ('duplicate', 8), ('number', 18), ('code', 18), ('date', 7), ('text', 10),
             ('swap', 5), ('spec', 6), ('attribute', 8)]
    CII_KINDS = KINDS + [('extra', 6)]

    def mutate(self, n):
        done = []
        table = self.CII_KINDS if self.cii else self.KINDS
        kinds = [k for k, _ in table]
        weights = [w for _, w in table]
        tries = 0
        while len(done) < n and tries < 50:
            tries += 1
            kind = self.rng.choices(kinds, weights)[0]
            d = getattr(self, 'm_' + kind)()
            if d is not None:
                done.append(d)
        return done


def collect(seeds, max_size, syntaxes=('ubl', 'cii')):
    """The seed files of `seeds` (files and folders), sorted: UBL and/or CII documents (`syntaxes`)
    of at most `max_size` bytes, SBDH envelopes left out."""
    files = []
    for s in seeds:
        if os.path.isdir(s):
            for dirpath, _, names in os.walk(s):
                files += [os.path.join(dirpath, n) for n in names if n.endswith('.xml')]
        else:
            files.append(s)
    out = []
    for f in sorted(set(files)):
        if os.path.getsize(f) > max_size:
            continue
        with open(f, 'rb') as fh:
            head = fh.read(4096)
        if b'StandardBusinessDocument' in head:
            continue
        if syntax_of(f) in syntaxes:
            out.append(f)
    return out


def safe_stem(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    return ''.join(c if c.isalnum() or c in '-_.' else '_' for c in stem)[:60]


def generate(seeds, count, out_dir, seed=1, cii_share=1 / 3):
    """Writes `count` mutants of `seeds` (files already filtered) into out_dir; returns their paths.

    With seeds of both syntaxes a mutant is made from a CII seed with probability `cii_share`
    (0: UBL seeds only, 1: CII seeds only). With seeds of one syntax (or a share of 0 or 1) the
    random draws are those of the UBL-only generator, so its UBL mutants stay the same files."""
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    ubl = [f for f in seeds if syntax_of(f) == 'ubl']
    cii = [f for f in seeds if syntax_of(f) == 'cii']
    if ubl and cii and cii_share <= 0:
        seeds, cii = ubl, []
    elif ubl and cii and cii_share >= 1:
        seeds, ubl = cii, []
    mixed = bool(ubl and cii)
    loaded = {}
    paths = []
    manifest = []
    for i in range(count):
        if mixed:
            group = cii if rng.random() < cii_share else ubl
            src = group[rng.randrange(len(group))]
        else:
            src = seeds[rng.randrange(len(seeds))]
        if src not in loaded:
            loaded[src] = load(src)
        tree, prefixes = loaded[src]
        root = copy.deepcopy(tree.getroot())
        m = Mutator(rng, root)
        edits = m.mutate(rng.choice((1, 1, 2, 2, 3)))
        name = f'{i:04d}-{safe_stem(src)}.xml'
        path = os.path.join(out_dir, name)
        with open(path, 'w', encoding='utf-8') as fh:
            fh.write(serialize(root, prefixes))
        paths.append(path)
        manifest.append(f'{name}\t{src}\t{"; ".join(edits)}\n')
    with open(os.path.join(out_dir, 'mutants.tsv'), 'w', encoding='utf-8') as fh:
        fh.writelines(manifest)
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('-o', '--out', required=True, help='output folder (created)')
    ap.add_argument('--count', type=int, default=600)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--cii-share', type=float, default=1 / 3,
                    help='share of CII mutants when there are seeds of both syntaxes (default 1/3)')
    ap.add_argument('--max-seed-size', type=int, default=256 * 1024)
    ap.add_argument('seeds', nargs='+')
    args = ap.parse_args()
    if not 0 <= args.cii_share <= 1:
        sys.exit('mutate_ubl.py: --cii-share must be between 0 and 1')
    seeds = collect(args.seeds, args.max_seed_size)
    if not seeds:
        sys.exit('mutate_ubl.py: no seed found (a UBL Invoice/CreditNote or a CII CrossIndustryInvoice)')
    paths = generate(seeds, args.count, args.out, args.seed, args.cii_share)
    cii = sum(1 for f in seeds if syntax_of(f) == 'cii')
    print(f'{len(paths)} mutants of {len(seeds)} seeds ({len(seeds) - cii} UBL, {cii} CII) in {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
