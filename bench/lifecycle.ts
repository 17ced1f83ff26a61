/**
 * Lifecycle timings on the real engine and the simulated GPU cluster: `up` from empty, a
 * scale of one service (with the nodes it adds), a no-change `up`, and `destroy`, for the shipped `local` stack and
 * for a generated stack of 50 services. Run through `npm run bench:lifecycle` (which builds
 * the toolchain and starts a cluster of its own).
 */
import { performance } from "node:perf_hooks";
import { stackConfig } from "../test/helpers/platform";
import { createStack, removeStack } from "../test/e2e/harness";

const kubeconfig = process.env.E2E_KUBECONFIG!;

function fiftyServices(): Record<string, any> {
    const raw = stackConfig("local");
    raw.nodeGroups = [
        { name: "gpu-l4", instanceType: "g6.xlarge", minSize: 0, maxSize: 40 },
        { name: "gpu-l40s", instanceType: "g6e.12xlarge", minSize: 0, maxSize: 8 },
    ];
    raw.services = Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0
            ? { name: `chat-${i}`, model: "Qwen/Qwen3-8B", instances: 1, nodeGroup: "gpu-l4", maxModelLen: 8192 }
            : { name: `chat-${i}`, model: "Qwen/Qwen3-8B", instances: 1, nodeGroup: "gpu-l40s", maxModelLen: 8192 },
    );
    raw.apiKeys = [
        { name: "all", services: ["*"] },
        { name: "half", services: raw.services.filter((_: unknown, i: number) => i % 2 === 0).map((s: any) => s.name) },
    ];
    return raw;
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
    const start = performance.now();
    await fn();
    return (performance.now() - start) / 1000;
}

async function measure(label: string, raw: Record<string, any>) {
    // The stack creates its simulated nodes itself (cluster.simulated), and removes them on destroy.
    const e2e = await createStack("local", raw, kubeconfig);
    try {
        const up = await timed(() => e2e.stack.up());
        const same = await timed(() => e2e.stack.up());
        const next = structuredClone(e2e.raw);
        next.services[0].instances = 3;
        e2e.setConfig(next);
        const scale = await timed(() => e2e.stack.up());
        const destroy = await timed(() => e2e.stack.destroy());
        const fmt = (s: number) => `${s.toFixed(1)} s`;
        console.log(`| ${label} | ${raw.services.length} | ${fmt(up)} | ${fmt(same)} | ${fmt(scale)} | ${fmt(destroy)} |`);
    } finally {
        removeStack(e2e);
    }
}

async function main() {
    console.log("| stack | services | up from empty | up, no change | scale one 1 → 3 | destroy |");
    console.log("|---|---|---|---|---|---|");
    await measure("shipped `local`", stackConfig("local"));
    await measure("generated", fiftyServices());
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
