import * as path from "node:path";
import { gatewaySelector, serviceNameLabel, vllmPort } from "../../components/conventions";
import { accessLogFormat } from "../../components/plan/gateway/listener";
import { kubectl, listObjects } from "../kube";
import { clusterTarget, projectDir, readStackOutputs, selectedStack } from "../stack";
import { Pod } from "../status/kubeTypes";
import { fieldsFromFormat, parseAccessLog } from "../usage/accessLog";
import { parseVllmTokens, renderUsage, TokenCounts, usageReport } from "../usage/report";

/** `90s`, `30m`, `12h`, `7d` → seconds. */
export function parseSince(text: string): number {
    const m = /^(\d+)(s|m|h|d)$/.exec(text.trim());
    if (!m) throw new Error(`--since: expected a duration like 30m, 12h or 7d, got "${text}"`);
    return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
}

export async function usageCommand(opts: { stack?: string; since?: string; json?: boolean; kubeconfig?: string }): Promise<number> {
    const cwd = projectDir();
    const stack = opts.stack ?? (await selectedStack(cwd));
    const outputs = await readStackOutputs(stack, { secrets: false, cwd });
    const target = clusterTarget(outputs, path.join(cwd, `Pulumi.${stack}.yaml`), { kubeconfig: opts.kubeconfig });
    const sinceSeconds = opts.since ? parseSince(opts.since) : undefined;
    const selector = Object.entries(gatewaySelector).map(([k, v]) => `${k}=${v}`).join(",");
    const logs = await kubectl(target, ["logs", "-l", selector, "--prefix", "--tail=-1", "--max-log-requests=100", ...(sinceSeconds ? [`--since=${sinceSeconds}s`] : [])]);
    const records = parseAccessLog(logs, fieldsFromFormat(accessLogFormat()), sinceSeconds ? new Date(Date.now() - sinceSeconds * 1000) : undefined);

    // vLLM's counters through the API server's pod proxy: no port-forward, the caller's RBAC applies.
    const tokens = new Map<string, TokenCounts>();
    const missing: string[] = [];
    const pods = (await listObjects<Pod>(target, "pods", ["-l", serviceNameLabel])).filter((p) => p.status?.phase === "Running");
    for (const pod of pods) {
        try {
            const text = await kubectl(target, ["get", "--raw", `/api/v1/namespaces/${target.namespace}/pods/${pod.metadata.name}:${vllmPort}/proxy/metrics`]);
            for (const [model, t] of parseVllmTokens(text)) {
                const sum = tokens.get(model) ?? { prompt: 0, generation: 0 };
                tokens.set(model, { prompt: sum.prompt + t.prompt, generation: sum.generation + t.generation });
            }
        } catch {
            missing.push(pod.metadata.name);
        }
    }
    const report = usageReport(records, outputs.services ?? [], pods.length > missing.length ? tokens : undefined);
    process.stdout.write(opts.json ? `${JSON.stringify({ ...report, podsWithoutMetrics: missing }, null, 2)}\n` : `${renderUsage(report)}\n`);
    if (missing.length > 0 && !opts.json) {
        process.stderr.write(`No /metrics from ${missing.length} pod(s) (${missing.join(", ")}): their tokens are not counted.\n`);
    }
    return 0;
}
