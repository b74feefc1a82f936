"""What ../shared/conformance/validate decides about a document, for the checks that compare eigw
with it: the document's syntax by its root element, and the rule sets the oracle applies."""
import xml.etree.ElementTree as ET

UBL_ROOTS = ('{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice',
             '{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote')
CII_ROOT = '{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice'
CBC = '{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}'


def syntax_of(path):
    """'ubl', 'cii' or None (not well-formed, another document, or an e-invoice in an envelope),
    by the root element (Factur-X samples open with kilobytes of comments)."""
    try:
        for _, elem in ET.iterparse(path, events=('start',)):
            return 'ubl' if elem.tag in UBL_ROOTS else 'cii' if elem.tag == CII_ROOT else None
    except (ET.ParseError, OSError):
        return None
    return None


def oracle_rules(path):
    """The oracle's rule sets as eigw's --rules: EN16931 of the syntax, and Peppol for UBL whose
    cbc:CustomizationID names Peppol BIS Billing 3.0 (the oracle has no XRechnung layer); ''
    (eigw's own choice) for documents that are neither UBL nor CII."""
    syntax = syntax_of(path)
    if syntax == 'cii':
        return 'en16931-cii'
    if syntax != 'ubl':
        return ''
    spec = ET.parse(path).getroot().findtext(CBC + 'CustomizationID') or ''
    return 'en16931-ubl,peppol-bis3' if 'urn:fdc:peppol.eu:2017:poacc:billing:3.0' in spec else 'en16931-ubl'
