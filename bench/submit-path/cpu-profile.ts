/**
 * Sums a V8 CPU profile (the inspector's Profiler.stop) by package or app
 * folder, for the benches that profile a server: submit-profile.ts, and the
 * webhooks phase with BENCH_WEBHOOK_PROFILE=1.
 */
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package, app folder or runtime part a frame belongs to. */
export function categoryOf({ functionName, url }: ProfileNode['callFrame']): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  const app = /\/dist\/src\/([^/]+)(\/[^/]+)?/.exec(url);
  if (app) return `app: src/${app[1]}${app[2]?.endsWith('.js') ? '' : (app[2] ?? '')}`;
  if (url.includes('/dist/bench/')) return 'bench (baseline code)';
  if (url.startsWith('node:')) {
    const [first, second] = url.slice(5).split('/');
    return `node: ${first === 'internal' && second ? second : first}`;
  }
  if (functionName.startsWith('(')) return functionName;
  return `native: ${functionName || '(anonymous)'}`;
}

export function summariseProfile(profile: CpuProfile, top = 40) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const selfFunctions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const dt = profile.timeDeltas[index] ?? 0;
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === '(idle)') return;
    total += dt;
    const category = categoryOf(leaf.callFrame);
    self.set(category, (self.get(category) ?? 0) + dt);
    const where = `${leaf.callFrame.functionName || '(anonymous)'} ${leaf.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${leaf.callFrame.lineNumber + 1}`;
    selfFunctions.set(where, (selfFunctions.get(where) ?? 0) + dt);
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      seen.add(categoryOf(byId.get(node)!.callFrame));
    }
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
  });
  const pct = (value: number) => `${((value / total) * 100).toFixed(1)} %`;
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return {
    total,
    /** Each category's inclusive share of the non-idle samples, 0–1. */
    inclusiveShare: new Map([...inclusive].map(([name, value]) => [name, value / total])),
    /** Each function's (name, file:line) self share of the non-idle samples, 0–1. */
    selfShare: new Map([...selfFunctions].map(([name, value]) => [name, value / total])),
    categories: sorted(inclusive)
      // Roots every stack shares say nothing.
      .filter(([name]) => !['(root)', 'native: runMicrotasks', 'node: process'].includes(name))
      .slice(0, top)
      .map(([name, value]) => `| ${name} | ${pct(value)} | ${pct(self.get(name) ?? 0)} |`),
    functions: sorted(selfFunctions)
      .slice(0, top)
      .map(([name, value]) => `| \`${name}\` | ${pct(value)} |`),
  };
}
