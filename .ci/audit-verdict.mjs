// Reads `npm audit --json` on stdin and decides the CI step: exit 1 when a production dependency has a
// high or critical advisory; exit 0 when it has none, or when the advisory endpoint could not be asked
// (offline, or a registry mirror without it): then npm prints an error object instead of a report.
let text = '';
for await (const chunk of process.stdin) text += chunk;
let report;
try {
  report = JSON.parse(text);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
if (!counts) {
  const why = String(report?.message ?? 'no report').slice(0, 300);
  console.warn(`npm audit skipped: the advisory endpoint did not answer (${why}).`);
  process.exit(0);
}
const serious = Object.values(report.vulnerabilities ?? {}).filter(
  (v) => v.severity === 'high' || v.severity === 'critical',
);
if (serious.length) {
  console.error('npm audit: production dependencies with high or critical advisories:');
  for (const v of serious) {
    const via = (v.via ?? []).map((x) => (typeof x === 'string' ? x : x.title)).join('; ');
    console.error(`  ${v.name} (${v.severity}${v.fixAvailable ? ', fix available' : ''}): ${via}`);
  }
  process.exit(1);
}
console.log(
  `npm audit: no high or critical advisories in production dependencies (moderate ${counts.moderate ?? 0}, low ${counts.low ?? 0}).`,
);
