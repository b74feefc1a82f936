// Builds the comparison table of bench/run from convert_bench's Google Benchmark JSON and the
// reference's JSON (bench/reference/bench.mjs). Prints it and writes it as Markdown.
//
// Usage: node report.mjs OURS.json REFERENCE.json OUT.md [--strict]
//   --strict   exit 1 when a target is missed

import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const [oursPath, refPath, outPath, ...flags] = process.argv.slice(2);
if (!oursPath || !refPath || !outPath) {
  console.error('usage: node report.mjs OURS.json REFERENCE.json OUT.md [--strict]');
  process.exit(2);
}
const strict = flags.includes('--strict');

const TARGET_US_10 = 50; // a 10-line invoice under 50 us
const TARGET_RATIO = 50; // at least 50x faster than the reference at every size
const LINEAR_TOLERANCE = 1.2; // us/line at 1,000 lines within 1.2x of us/line at 100 lines

const ours = JSON.parse(readFileSync(oursPath, 'utf8'));
const ref = JSON.parse(readFileSync(refPath, 'utf8'));

const toUs = { ns: 1e-3, us: 1, ms: 1e3, s: 1e6 };

// Median over repetitions when convert_bench ran with repetitions, else the single run.
function oursTime(name, lines) {
  const runName = `${name}/${lines}`;
  const rows = ours.benchmarks.filter((b) => (b.run_name ?? b.name) === runName);
  const row = rows.find((b) => b.aggregate_name === 'median') ?? rows.find((b) => b.run_type !== 'aggregate');
  if (!row) return null;
  if (row.error_occurred) throw new Error(`${runName}: ${row.error_message}`);
  return { us: row.real_time * toUs[row.time_unit ?? 'ns'], row };
}

const sizes = ref.results.map((r) => r.lines);
const f = (x, digits = 1) => (x == null ? 'n/a' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const f0 = (x) => f(x, 0);
const fus = (x) => (x == null ? 'n/a' : x < 10 ? f(x, 2) : x < 1000 ? f(x, 1) : f0(x));

const rows = sizes.map((n) => {
  const r = ref.results.find((x) => x.lines === n);
  const convert = oursTime('BM_Convert', n);
  const read = oursTime('BM_Read', n);
  const calc = oursTime('BM_Complete', n);
  const write = oursTime('BM_Write', n);
  const ctx = ours.context ?? {};
  return {
    n,
    ours: convert?.us ?? null,
    read: read?.us ?? null,
    calc: calc?.us ?? null,
    write: write?.us ?? null,
    ref: r.cached.median_us,
    refMean: r.cached.mean_us,
    refP10: r.cached.p10_us,
    refP90: r.cached.p90_us,
    refIter: r.cached.iterations,
    refUncached: r.uncached?.median_us ?? null,
    oursPayable: ctx[`payable_${n}`],
    refPayable: r.payable,
    oursIn: Number(ctx[`input_bytes_${n}`]),
    oursOut: Number(ctx[`output_bytes_${n}`]),
    refIn: r.input_bytes,
    refOut: r.output_bytes,
  };
});

const out = [];
const p = (s = '') => out.push(s);

const date = new Date().toISOString().replace('T', ' ').replace(/\..*/, ' UTC');
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const reps = Math.max(1, ...ours.benchmarks.map((b) => b.repetitions ?? 1));
p('# Conversion benchmark: ERP JSON → Peppol BIS Billing 3.0 UBL');
p();
p(`${date}. Machine: ${cpu}, ${ours.context?.num_cpus ?? cpus().length} cores; single thread. ` +
  `Ours: convert_bench, Release build${ours.context?.library_build_type === 'debug' ? " (the distribution's Google Benchmark library calls itself a debug build; that is the harness, not our code)" : ''}, ` +
  `median of ${reps} repetition${reps === 1 ? '' : 's'}. ` +
  `Reference: ${ref.tool} ${ref.version} (format "${ref.format}"), node ${ref.node}, median per call, schema compiled once. ` +
  `Load average (1 min) when the run started: ${process.env.BENCH_LOAD_BEFORE ?? 'unknown'}. ` +
  (process.env.BENCH_CPU ? `Both sides pinned to CPU ${process.env.BENCH_CPU} (the virtual CPUs of this machine differ in speed by up to 1.8×, so unpinned runs are bimodal).` : 'Not pinned to a CPU.'));
p();
p('## Whole path: JSON text → UBL text');
p();
p('| lines | ours (µs) | reference (µs) | ratio (reference ÷ ours) | ours µs/line | reference µs/line |');
p('|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const ratio = r.ours ? r.ref / r.ours : null;
  p(`| ${f0(r.n)} | ${fus(r.ours)} | ${fus(r.ref)} | ${ratio == null ? 'n/a' : f(ratio, 0) + '×'} | ` +
    `${fus(r.ours / r.n)} | ${fus(r.ref / r.n)} |`);
}
p();

// Targets.
const results = [];
const r10 = rows.find((r) => r.n === 10);
if (r10) {
  results.push({ ok: r10.ours != null && r10.ours < TARGET_US_10,
    text: `10-line invoice under ${TARGET_US_10} µs: ${fus(r10.ours)} µs` });
}
const ratios = rows.map((r) => (r.ours ? r.ref / r.ours : 0));
const minRatio = Math.min(...ratios);
const minAt = rows[ratios.indexOf(minRatio)]?.n;
results.push({ ok: minRatio >= TARGET_RATIO,
  text: `at least ${TARGET_RATIO}× faster than the reference at every size: lowest ${f(minRatio, 0)}× (at ${f0(minAt)} lines)` });
const r100 = rows.find((r) => r.n === 100);
const r1000 = rows.find((r) => r.n === 1000);
if (r100 && r1000 && r100.ours && r1000.ours) {
  const per100 = r100.ours / 100;
  const per1000 = r1000.ours / 1000;
  const marginal = (r1000.ours - r100.ours) / 900;
  results.push({ ok: per1000 <= per100 * LINEAR_TOLERANCE,
    text: `linear in lines: ${fus(per100)} µs/line at 100 lines, ${fus(per1000)} µs/line at 1,000 ` +
      `(×${f(per1000 / per100, 2)}; marginal cost of a line ${fus(marginal)} µs; tolerance ×${LINEAR_TOLERANCE})` });
}
p('## Targets');
p();
for (const t of results) p(`- ${t.ok ? 'met' : '**MISSED**'}: ${t.text}`);
p();

p('## Where our time goes (µs, medians)');
p();
p('| lines | read (json::ReadInvoice) | calculate (calc::Complete) | write (ubl::WriteInvoice) | sum of steps | whole path | read MB/s | write MB/s |');
p('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const sum = r.read != null && r.calc != null && r.write != null ? r.read + r.calc + r.write : null;
  p(`| ${f0(r.n)} | ${fus(r.read)} | ${fus(r.calc)} | ${fus(r.write)} | ${fus(sum)} | ${fus(r.ours)} | ` +
    `${r.read ? f(r.oursIn / r.read, 0) : 'n/a'} | ${r.write ? f(r.oursOut / r.write, 0) : 'n/a'} |`);
}
p();
p('The calculator is timed on fresh copies of the parsed invoice (copies made with the timer paused).');
p();

p('## Reference details (µs per call)');
p();
p('| lines | median | mean | p10 | p90 | calls timed | InvoiceService.generate() median (schema compiled per call) |');
p('|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  p(`| ${f0(r.n)} | ${fus(r.ref)} | ${fus(r.refMean)} | ${fus(r.refP10)} | ${fus(r.refP90)} | ${f0(r.refIter)} | ${fus(r.refUncached)} |`);
}
p();

p('## Same content on both sides');
p();
p('| lines | payable, ours | payable, reference | input bytes, ours / reference | UBL bytes, ours / reference |');
p('|---:|---:|---:|---:|---:|');
let contentOk = true;
for (const r of rows) {
  const same = r.oursPayable === r.refPayable;
  contentOk &&= same;
  p(`| ${f0(r.n)} | ${r.oursPayable ?? 'n/a'} | ${r.refPayable}${same ? '' : ' **differs**'} | ` +
    `${f0(r.oursIn)} / ${f0(r.refIn)} | ${f0(r.oursOut)} / ${f0(r.refOut)} |`);
}
p();
if (!contentOk) p('**The two generators disagree on the payable amount: the invoices are not equivalent (bench/convert_bench.cc vs bench/reference/bench.mjs).**');
p();

const text = out.join('\n');
writeFileSync(outPath, text);
console.log(text);
console.error(`written to ${outPath}`);
if (!contentOk) {
  console.error('report.mjs: the payable amounts differ between our invoices and the reference\'s');
  process.exit(1);
}
if (strict && results.some((t) => !t.ok)) {
  console.error('report.mjs: a target was missed (--strict)');
  process.exit(1);
}
