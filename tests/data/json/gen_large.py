#!/usr/bin/env python3
"""Writes valid/large-1000-lines.json: a 1,000-line wholesale invoice in the ERP JSON format.

Deterministic (own LCG, no `random`), standard library only. Prices have 3 decimals, quantities
vary (pieces, cartons, kilograms with 3 decimals), two VAT rates (19 % and 7 %), every 7th line has
a line allowance (alternately by amount and by percentage with base) and every 50th a line charge.
The ERP "complete" style is used: totals and VAT breakdown are sent and must match the gateway's
computation (docs/formats/json.md, "How the gateway computes"), which this script reproduces with
decimal.Decimal and half-away-from-zero rounding.

Usage: python3 tests/data/json/gen_large.py   (rewrites the file next to this script)
"""
import json
import os
from decimal import ROUND_HALF_UP, Decimal, getcontext

getcontext().prec = 60
LINES = 1000
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "valid", "large-1000-lines.json")


class Lcg:
    """32-bit linear congruential generator (Numerical Recipes constants): same output everywhere."""

    def __init__(self, seed):
        self.x = seed & 0xFFFFFFFF

    def next(self):
        self.x = (1664525 * self.x + 1013904223) & 0xFFFFFFFF
        return self.x

    def below(self, n):
        return (self.next() >> 8) % n


def r2(x):
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


PRODUCTS_19 = ["Spülmittel 1 l", "Küchenrolle 4er", "Müllbeutel 60 l", "Glasreiniger 750 ml",
               "Batterien AA 8er", "Alufolie 30 m", "Servietten 100er", "Kerzen 10er",
               "Gefrierbeutel 3 l", "Handseife 500 ml", "Schwammtücher 10er", "Geschirrtücher"]
PRODUCTS_7 = ["Vollmilch 1 l", "Roggenbrot 750 g", "Äpfel Elstar", "Kartoffeln festkochend",
              "Gouda jung", "Haferflocken 500 g", "Bananen", "Tomaten", "Zucker 1 kg",
              "Mehl Type 405", "Kaffee gemahlen 500 g", "Orangensaft 1 l", "Butter 250 g"]
UNITS_BY_KIND = {"piece": "H87", "carton": "XCT", "weight": "KGM"}


def build():
    rng = Lcg(20260501)
    lines = []
    for i in range(LINES):
        reduced = rng.below(100) < 45
        names = PRODUCTS_7 if reduced else PRODUCTS_19
        name = names[rng.below(len(names))]
        kind = ("piece", "carton", "weight")[rng.below(3)]
        if kind == "weight":
            qty = Decimal(rng.below(60000) + 500) / 1000           # 0.500 .. 60.499 kg
        elif kind == "carton":
            qty = Decimal(rng.below(40) + 1)
        else:
            qty = Decimal(rng.below(120) + 1)
        price = Decimal(rng.below(29999) + 1) / 1000                # 0.001 .. 29.999, 3 decimals
        line = {
            "id": str(i + 1),
            "quantity": str(qty),
            "unit": UNITS_BY_KIND[kind],
            "price": str(price.quantize(Decimal("0.001"))),
            "vat_category": "S",
            "vat_rate": "7" if reduced else "19",
            "item": {"name": name, "sellers_id": "ART-%05d" % (10000 + rng.below(90000))},
        }
        gross = qty * price
        if i % 7 == 6:
            if (i // 7) % 2 == 0:
                amount = r2(gross * Decimal(rng.below(15) + 1) / 100)
                line["allowances"] = [{"amount": str(amount), "reason_code": "95", "reason": "Aktionsrabatt"}]
            else:
                base = r2(gross)
                pct = Decimal(rng.below(200) + 5) / 10               # 0.5 .. 20.4 %
                line["allowances"] = [{"percentage": str(pct), "base_amount": str(base),
                                       "reason_code": "100", "reason": "Sonderrabatt"}]
        if i % 50 == 49:
            line["charges"] = [{"amount": "%d.%02d" % (rng.below(20) + 1, rng.below(100)),
                                "reason_code": "ABL", "reason": "Pfand/Verpackung"}]
        lines.append(line)
    return lines


def allowance_amount(ac):
    if "amount" in ac:
        return Decimal(ac["amount"])
    return r2(Decimal(ac["base_amount"]) * Decimal(ac["percentage"]) / 100)


def compute(lines):
    groups = {}
    line_total = Decimal(0)
    for line in lines:
        net = Decimal(line["quantity"]) * Decimal(line["price"])
        net += sum((allowance_amount(c) for c in line.get("charges", [])), Decimal(0))
        net -= sum((allowance_amount(a) for a in line.get("allowances", [])), Decimal(0))
        net = r2(net)
        line_total += net
        groups.setdefault(line["vat_rate"], Decimal(0))
        groups[line["vat_rate"]] += net
    breakdown = []
    vat_total = Decimal(0)
    for rate, taxable in groups.items():
        tax = r2(taxable * Decimal(rate) / 100)
        vat_total += tax
        breakdown.append({"category": "S", "rate": rate, "taxable_amount": str(r2(taxable)),
                          "tax_amount": str(tax)})
    totals = {
        "line_net_total": str(r2(line_total)),
        "tax_exclusive": str(r2(line_total)),
        "vat_total": str(r2(vat_total)),
        "tax_inclusive": str(r2(line_total + vat_total)),
        "payable": str(r2(line_total + vat_total)),
    }
    return breakdown, totals


def main():
    lines = build()
    breakdown, totals = compute(lines)
    invoice = {
        "number": "RGH-2026-900001",
        "issue_date": "2026-11-30",
        "due_date": "2026-12-30",
        "currency": "EUR",
        "buyer_reference": "04011000-55555-22",
        "purchase_order_reference": "MB-2026-11-SAMMEL",
        "payment_terms": "Zahlbar innerhalb von 30 Tagen ohne Abzug.",
        "notes": [{"subject_code": "AAI", "text": "Sammelrechnung November 2026, Filialbelieferung."}],
        "seller": {
            "name": "Rheinland Großhandel GmbH",
            "vat_id": "DE814285375",
            "legal_registration_id": {"id": "HRB 87654"},
            "electronic_address": {"id": "DE814285375", "scheme": "9930"},
            "address": {"line1": "Hafenstraße 40", "city": "Düsseldorf", "postal_code": "40213", "country": "DE"},
            "contact": {"name": "Debitorenbuchhaltung", "phone": "+49 211 555010",
                        "email": "rechnung@rheinland-grosshandel.de"},
        },
        "buyer": {
            "name": "Markt & Backstube Berg KG",
            "vat_id": "DE276543219",
            "electronic_address": {"id": "DE276543219", "scheme": "9930"},
            "address": {"line1": "Marktplatz 3", "city": "Bergisch Gladbach", "postal_code": "51465", "country": "DE"},
        },
        "invoice_period": {"start_date": "2026-11-01", "end_date": "2026-11-30"},
        "payment": {"means_code": "58", "remittance_info": "RGH-2026-900001",
                    "credit_transfer": {"account_id": "DE18120300000012345678",
                                        "account_name": "Rheinland Großhandel GmbH", "bank_id": "BYLADEM1001"}},
        "lines": lines,
        "vat_breakdown": breakdown,
        "totals": totals,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        json.dump(invoice, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote %s (%d lines, payable %s)" % (OUT, len(lines), totals["payable"]))


if __name__ == "__main__":
    main()
