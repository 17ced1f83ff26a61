/**
 * Benchmark of the gateway's Envoy renderer (`npm run bench:gateway`): render time and file
 * sizes for 10, 100 and 500 services × as many keys, and how the files split across the
 * two config Secrets (each must stay under Kubernetes' 1 MiB). With `--validate`, the
 * rendered files also go through tools/envoy-validate.
 *
 * Keys: nine in ten may call every service (`["*"]`), the rest three named services each,
 * every key with a rate limit and a 48-character value (the KeyStore's length + `sk-`).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { envoyFiles, envoySecretFiles, GatewayKey, GatewayRoute, renderEnvoyConfig, ServiceTask } from "../components";

const MiB = 1024 * 1024;
const sizes = [10, 100, 500];
const validate = process.argv.includes("--validate");

function input(n: number): { routes: GatewayRoute[]; keys: GatewayKey[] } {
    const routes = Array.from({ length: n }, (_, i): GatewayRoute => {
        const name = `svc-${String(i).padStart(3, "0")}`;
        return { name, accessName: `u-8105f7322477/${name}`, task: ServiceTask.Chat, backendHost: `vllm-${name}.model-services.svc.cluster.local`, backendPort: 8000, instances: 1 };
    });
    const keys = Array.from({ length: n }, (_, i): GatewayKey => ({
        name: `key-${String(i).padStart(3, "0")}`,
        value: `sk-${String(i).padStart(3, "0")}${"x".repeat(45)}`,
        services: i % 10 === 0 ? [0, 1, 2].map((j) => routes[(i + j) % n].name) : ["*"],
        requestsPerMinute: 600,
    }));
    return { routes, keys };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
console.log("| services × keys | render (median of 5) | rds.json | cds.json | ecds-ratelimit.json | config Secret | clusters Secret |");
console.log("|---|---|---|---|---|---|---|");
for (const n of sizes) {
    const { routes, keys } = input(n);
    const gateway = { replicas: 2, serviceType: "LoadBalancer" as const, maxRequestBodyMiB: 32 };
    const times: number[] = [];
    let files = renderEnvoyConfig({ routes, keys, gateway });
    for (let run = 0; run < 5; run++) {
        const start = performance.now();
        files = renderEnvoyConfig({ routes, keys, gateway });
        times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const bytes = (name: string) => Buffer.byteLength(files[name] ?? "");
    const secret = (names: readonly string[]) => names.reduce((sum, name) => sum + bytes(name), 0);
    const config = secret(envoySecretFiles.config);
    const clusters = secret(envoySecretFiles.clusters);
    if (config >= MiB || clusters >= MiB) throw new Error(`${n} × ${n}: a Secret passes 1 MiB (config ${config} B, clusters ${clusters} B)`);
    console.log(
        `| ${n} × ${n} | ${times[2].toFixed(1)} ms | ${kib(bytes(envoyFiles.routes))} | ${kib(bytes(envoyFiles.clusters))} | ${kib(bytes(envoyFiles.rateLimits))} | ${kib(config)} (${((100 * config) / MiB).toFixed(0)} %) | ${kib(clusters)} (${((100 * clusters) / MiB).toFixed(0)} %) |`,
    );
    if (validate) {
        const dir = mkdtempSync(path.join(tmpdir(), "bench-gateway-"));
        for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
        const script = path.join(__dirname, "..", "scripts", "envoy-validate.sh");
        console.log(`  ${execFileSync(script, [dir], { encoding: "utf8" }).trim()}`);
        rmSync(dir, { recursive: true, force: true });
    }
}
