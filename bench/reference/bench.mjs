// Reference side of the conversion benchmark: @e-invoice-eu/core turning its own JSON format into UBL.
//
// Builds, for each size N, an invoice of N lines in the e-invoice-eu internal format (the structure of
// contrib/data/default-invoice.json of that project, less cac:PartyName: our JSON sends no trading
// name), with the same business content as the invoices that bench/invoice_generator.cc builds in our
// format: same parties, payment, items, quantities, prices, line allowances and therefore the same
// totals; the UBL of both differs only in how 3-decimal prices are stated (see cac:Price below).
// Then times text -> UBL XML, single thread.
//
// Usage: node bench.mjs [--sizes=1,10,100,1000] [--time=3] [--warmup=2] [--no-uncached] [--pretty]
//                       [--dump=DIR]
//   --time      seconds of measurement per size (at least --min-iter iterations, default 20)
//   --warmup    seconds of warm-up per size (JIT), before measuring
//   --no-uncached  skip the InvoiceService.generate() measurement (it recompiles the schema per call)
//   --dump      write the generated input JSON and the produced XML per size into DIR
// Prints one JSON object on stdout; progress goes to stderr.

import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

// ajv is pinned in package.json to the version @e-invoice-eu/core resolves, so both share one copy.
import Ajv2019Module from 'ajv/dist/2019.js';
import { FormatFactoryService, InvoiceService, ValidationService, invoiceSchema } from '@e-invoice-eu/core';

const Ajv2019 = Ajv2019Module.default ?? Ajv2019Module;
const require = createRequire(import.meta.url);
const corePackage = require('@e-invoice-eu/core/package.json');

// ---------------------------------------------------------------------------------------------
// Options

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      console.error(`bench.mjs: unknown argument ${a}`);
      process.exit(2);
    }
    return [m[1], m[2] ?? true];
  }),
);
const SIZES = String(args.sizes ?? '1,10,100,1000').split(',').map(Number);
const TIME_S = Number(args.time ?? 3);
const WARMUP_S = Number(args.warmup ?? 2);
const MIN_ITER = Number(args['min-iter'] ?? 20);
const UNCACHED = !args['no-uncached'];
const UNCACHED_TIME_S = Number(args['uncached-time'] ?? 1);

// ---------------------------------------------------------------------------------------------
// The invoice content. KEEP IN SYNC with kItems / MakeInvoice in ../invoice_generator.cc: the two
// generators must produce the same business content (the run script compares the payable amounts).

const ITEMS = [
  { name: 'Printer paper A4, 500 sheets', unit: 'H87', priceMilli: 7625, rate: 19 },
  { name: 'Hotel room (single), Köln', unit: 'DAY', priceMilli: 87500, rate: 7 },
  { name: 'Consulting – senior engineer', unit: 'HUR', priceMilli: 125000, rate: 19 },
  { name: 'Espresso beans, fair trade', unit: 'KGM', priceMilli: 21990, rate: 7 },
  { name: 'Toner cartridge black XL', unit: 'H87', priceMilli: 64349, rate: 19 },
  { name: 'Rail ticket Berlin–Hamburg', unit: 'C62', priceMilli: 49900, rate: 7 },
  { name: 'Software licence, annual', unit: 'C62', priceMilli: 1199000, rate: 19 },
  { name: 'Book "EN 16931 explained"', unit: 'H87', priceMilli: 39950, rate: 7 },
  { name: 'Cleaning & maintenance <on site>', unit: 'HUR', priceMilli: 38125, rate: 19 },
  { name: 'Organic apples', unit: 'KGM', priceMilli: 3499, rate: 7 },
  { name: 'USB-C cable 2 m', unit: 'H87', priceMilli: 9875, rate: 19 },
  { name: 'Newspaper subscription', unit: 'MON', priceMilli: 24300, rate: 7 },
];

// Line i (0-based): item i mod 12, quantity in tenths, price in thousandths, every 5th line
// (i mod 5 == 0) has a percentage allowance of 10 % (i mod 10 == 0) or 5 %, on the line's gross amount.
function makeLine(i) {
  const it = ITEMS[i % ITEMS.length];
  const qtyTenths = (1 + ((i * 7) % 23)) * 10 + (it.unit === 'KGM' ? 5 : 0);
  const priceMilli = it.priceMilli + (i % 5) * 125;
  const grossCents = roundDiv(qtyTenths * priceMilli, 100); // 1e-4 EUR -> cents
  let allowance = null;
  if (i % 5 === 0) {
    const pct = i % 10 === 0 ? 10 : 5;
    allowance = { pct, baseCents: grossCents, amountCents: roundDiv(grossCents * pct, 100) };
  }
  const netCents = grossCents - (allowance ? allowance.amountCents : 0);
  return {
    id: String(i + 1),
    name: `${it.name}, lot ${1000 + i}`,
    unit: it.unit,
    qtyTenths,
    priceMilli,
    rate: it.rate,
    allowance,
    netCents,
  };
}

// Half away from zero; arguments are non-negative integers here.
function roundDiv(num, den) {
  return Math.floor((num + den / 2) / den);
}

function cents(c) {
  const sign = c < 0 ? '-' : '';
  const a = Math.abs(c);
  return `${sign}${Math.trunc(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

function quantity(tenths) {
  return tenths % 10 === 0 ? String(tenths / 10) : `${Math.trunc(tenths / 10)}.${tenths % 10}`;
}

function totalsOf(lines) {
  const byRate = new Map();
  let lineNet = 0;
  for (const l of lines) {
    lineNet += l.netCents;
    byRate.set(l.rate, (byRate.get(l.rate) ?? 0) + l.netCents);
  }
  const vat = [...byRate.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([rate, taxable]) => ({ rate, taxable, tax: roundDiv(taxable * rate, 100) }));
  const vatTotal = vat.reduce((s, v) => s + v.tax, 0);
  return { lineNet, vat, vatTotal, taxExclusive: lineNet, taxInclusive: lineNet + vatTotal, payable: lineNet + vatTotal };
}

const NUMBER = 'INV-2026-000123';
const PEPPOL_BIS3 = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
const PEPPOL_PROFILE = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

// The e-invoice-eu internal format; structure as in default-invoice.json.
function buildInvoice(n) {
  const lines = Array.from({ length: n }, (_, i) => makeLine(i));
  const t = totalsOf(lines);
  const EUR = 'EUR';
  const invoice = {
    'ubl:Invoice': {
      'cbc:CustomizationID': PEPPOL_BIS3,
      'cbc:ProfileID': PEPPOL_PROFILE,
      'cbc:ID': NUMBER,
      'cbc:IssueDate': '2026-03-02',
      'cbc:DueDate': '2026-04-01',
      'cbc:InvoiceTypeCode': '380',
      'cbc:Note': ['Thank you for your order.'],
      'cbc:DocumentCurrencyCode': EUR,
      'cbc:BuyerReference': 'dept0815',
      'cac:OrderReference': { 'cbc:ID': 'A7450891' },
      'cac:AccountingSupplierParty': {
        'cac:Party': {
          'cbc:EndpointID': 'DE202526944',
          'cbc:EndpointID@schemeID': '9930',
          'cac:PostalAddress': {
            'cbc:StreetName': '42 Milky Way',
            'cbc:CityName': 'Faraway',
            'cbc:PostalZone': '12345',
            'cac:Country': { 'cbc:IdentificationCode': 'DE' },
          },
          'cac:PartyTaxScheme': [{ 'cbc:CompanyID': 'DE202526944', 'cac:TaxScheme': { 'cbc:ID': 'VAT' } }],
          'cac:PartyLegalEntity': { 'cbc:RegistrationName': 'Acme Ltd.' },
          'cac:Contact': {
            'cbc:Name': 'John Doe',
            'cbc:Telephone': '+49 221 765 43-21',
            'cbc:ElectronicMail': 'jdoe@acme.example',
          },
        },
      },
      'cac:AccountingCustomerParty': {
        'cac:Party': {
          'cbc:EndpointID': 'DE427984273',
          'cbc:EndpointID@schemeID': '9930',
          'cac:PostalAddress': {
            'cbc:StreetName': '742 Evergreen Terrace',
            'cbc:CityName': 'Springfield',
            'cbc:PostalZone': '80085',
            'cac:Country': { 'cbc:IdentificationCode': 'DE' },
          },
          'cac:PartyTaxScheme': { 'cbc:CompanyID': 'DE427984273', 'cac:TaxScheme': { 'cbc:ID': 'VAT' } },
          'cac:PartyLegalEntity': { 'cbc:RegistrationName': 'Globex Corp.' },
        },
      },
      'cac:PaymentMeans': [
        {
          'cbc:PaymentMeansCode': '30',
          'cbc:PaymentID': NUMBER,
          'cac:PayeeFinancialAccount': {
            'cbc:ID': 'DE37080040012345678900',
            'cbc:Name': 'Acme Ltd.',
            'cac:FinancialInstitutionBranch': { 'cbc:ID': 'DRESDEFF370' },
          },
        },
      ],
      'cac:PaymentTerms': { 'cbc:Note': 'Payable within 30 days without deduction.' },
      'cac:TaxTotal': [
        {
          'cbc:TaxAmount': cents(t.vatTotal),
          'cbc:TaxAmount@currencyID': EUR,
          'cac:TaxSubtotal': t.vat.map((v) => ({
            'cbc:TaxableAmount': cents(v.taxable),
            'cbc:TaxableAmount@currencyID': EUR,
            'cbc:TaxAmount': cents(v.tax),
            'cbc:TaxAmount@currencyID': EUR,
            'cac:TaxCategory': { 'cbc:ID': 'S', 'cbc:Percent': String(v.rate), 'cac:TaxScheme': { 'cbc:ID': 'VAT' } },
          })),
        },
      ],
      'cac:LegalMonetaryTotal': {
        'cbc:LineExtensionAmount': cents(t.lineNet),
        'cbc:LineExtensionAmount@currencyID': EUR,
        'cbc:TaxExclusiveAmount': cents(t.taxExclusive),
        'cbc:TaxExclusiveAmount@currencyID': EUR,
        'cbc:TaxInclusiveAmount': cents(t.taxInclusive),
        'cbc:TaxInclusiveAmount@currencyID': EUR,
        'cbc:PayableAmount': cents(t.payable),
        'cbc:PayableAmount@currencyID': EUR,
      },
      'cac:InvoiceLine': lines.map((l) => {
        const line = {
          'cbc:ID': l.id,
          'cbc:InvoicedQuantity': quantity(l.qtyTenths),
          'cbc:InvoicedQuantity@unitCode': l.unit,
          'cbc:LineExtensionAmount': cents(l.netCents),
          'cbc:LineExtensionAmount@currencyID': EUR,
        };
        if (l.allowance) {
          line['cac:AllowanceCharge'] = [
            {
              'cbc:ChargeIndicator': 'false',
              'cbc:AllowanceChargeReasonCode': '95',
              'cbc:AllowanceChargeReason': 'Volume discount',
              'cbc:MultiplierFactorNumeric': String(l.allowance.pct),
              'cbc:Amount': cents(l.allowance.amountCents),
              'cbc:Amount@currencyID': EUR,
              'cbc:BaseAmount': cents(l.allowance.baseCents),
              'cbc:BaseAmount@currencyID': EUR,
            },
          ];
        }
        line['cac:Item'] = {
          'cbc:Name': l.name,
          'cac:ClassifiedTaxCategory': { 'cbc:ID': 'S', 'cbc:Percent': String(l.rate), 'cac:TaxScheme': { 'cbc:ID': 'VAT' } },
        };
        // The package's schema types PriceAmount as an Amount (at most 2 decimals), so a price with
        // 3 decimals is stated per 10 units (BT-149 base quantity): the same price, the same net amount.
        line['cac:Price'] =
          l.priceMilli % 10 === 0
            ? { 'cbc:PriceAmount': cents(l.priceMilli / 10), 'cbc:PriceAmount@currencyID': EUR }
            : {
                'cbc:PriceAmount': cents(l.priceMilli),
                'cbc:PriceAmount@currencyID': EUR,
                'cbc:BaseQuantity': '10',
                'cbc:BaseQuantity@unitCode': l.unit,
              };
        return line;
      }),
    },
  };
  return { invoice, totals: t };
}

// ---------------------------------------------------------------------------------------------
// The converters

const quietLogger = { log() {}, warn() {}, error() {} };
const OPTIONS = { format: 'UBL', lang: 'en-us', noWarnings: true };

// Fastest documented way: what InvoiceService.generate() does, with the per-call work that does not
// depend on the invoice done once: the format service is created and the (patched) invoice schema
// compiled by Ajv once (README: invoiceSchema "can be passed as an argument to the compile method of
// an Ajv instance"; same Ajv options as InvoiceService). Per call: JSON.parse of the text (our
// converter also starts from text), schema validation (which also fills defaults), the format's
// defaults, and generate() (sort by schema, xmlbuilder2 rendering).
function makeCachedConverter() {
  const factory = new FormatFactoryService();
  const formatter = factory.createFormatService(OPTIONS.format, quietLogger);
  const options = { ...OPTIONS, format: factory.normalizeFormat(OPTIONS.format) };
  const ajv = new Ajv2019({ strict: true, allErrors: true, useDefaults: true });
  const schema = structuredClone(invoiceSchema);
  formatter.patchSchema(schema);
  const validator = ajv.compile(schema);
  const validation = new ValidationService(quietLogger);
  return async (text) => {
    const data = JSON.parse(text);
    const invoice = validation.validate('invoice data', validator, data);
    formatter.fillInvoiceDefaults(invoice);
    return formatter.generate(invoice, options);
  };
}

// Plain documented API: InvoiceService.generate(), which compiles the schema on every call.
function makeUncachedConverter() {
  const service = new InvoiceService(quietLogger);
  return async (text) => service.generate(JSON.parse(text), { ...OPTIONS });
}

// ---------------------------------------------------------------------------------------------
// Timing

function stats(samplesNs) {
  const s = Float64Array.from(samplesNs).sort();
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const q = (p) => s[Math.min(n - 1, Math.floor(p * (n - 1) + 0.5))];
  const us = (ns) => Math.round(ns / 10) / 100;
  return { iterations: n, mean_us: us(mean), median_us: us(q(0.5)), p10_us: us(q(0.1)), p90_us: us(q(0.9)), min_us: us(s[0]) };
}

async function measure(convert, text, seconds, minIter) {
  const samples = [];
  const deadline = performance.now() + seconds * 1000;
  while (samples.length < minIter || performance.now() < deadline) {
    const t0 = process.hrtime.bigint();
    const xml = await convert(text);
    const t1 = process.hrtime.bigint();
    if (typeof xml !== 'string' || xml.length === 0) throw new Error('empty output');
    samples.push(Number(t1 - t0));
  }
  return stats(samples);
}

function checkOutput(xml, n, totals) {
  const payable = `<cbc:PayableAmount currencyID="EUR">${cents(totals.payable)}</cbc:PayableAmount>`;
  if (!xml.includes(payable)) throw new Error(`output for ${n} lines lacks ${payable}`);
  const lines = xml.split('<cac:InvoiceLine>').length - 1;
  if (lines !== n) throw new Error(`output for ${n} lines has ${lines} InvoiceLine elements`);
}

async function main() {
  const cached = makeCachedConverter();
  const uncached = makeUncachedConverter();
  const results = [];
  for (const n of SIZES) {
    const { invoice, totals } = buildInvoice(n);
    const text = JSON.stringify(invoice);
    let xml;
    try {
      xml = await cached(text);
      checkOutput(xml, n, totals);
    } catch (e) {
      const detail = e.errors ? JSON.stringify(e.errors, null, 2) : '';
      console.error(`bench.mjs: conversion of the ${n}-line invoice failed: ${e.message}\n${detail}`);
      process.exit(1);
    }
    if (args.dump) {
      mkdirSync(args.dump, { recursive: true });
      writeFileSync(join(args.dump, `reference-${n}.json`), JSON.stringify(invoice, null, 2));
      writeFileSync(join(args.dump, `reference-${n}.xml`), xml);
    }
    console.error(`reference: ${n} lines: warming up ${WARMUP_S}s ...`);
    await measure(cached, text, WARMUP_S, 5);
    const r = {
      lines: n,
      input_bytes: Buffer.byteLength(text),
      output_bytes: Buffer.byteLength(xml),
      payable: cents(totals.payable),
      cached: await measure(cached, text, TIME_S, MIN_ITER),
    };
    if (UNCACHED) {
      await measure(uncached, text, Math.min(WARMUP_S, 0.5), 3);
      r.uncached = await measure(uncached, text, UNCACHED_TIME_S, 5);
    }
    console.error(`reference: ${n} lines: median ${r.cached.median_us} us (cached schema)` +
      (r.uncached ? `, ${r.uncached.median_us} us (InvoiceService.generate)` : ''));
    results.push(r);
  }
  const out = {
    tool: '@e-invoice-eu/core',
    version: corePackage.version,
    format: OPTIONS.format,
    node: process.version,
    method: 'cached: JSON.parse + compiled-once Ajv validation + fillInvoiceDefaults + FormatUBLService.generate; ' +
      'uncached: InvoiceService.generate(JSON.parse(text)), which compiles the schema per call',
    time_per_size_s: TIME_S,
    results,
  };
  process.stdout.write(JSON.stringify(out, null, args.pretty ? 2 : 0) + '\n');
}

await main();
