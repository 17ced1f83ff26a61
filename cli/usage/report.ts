import { table } from "../format";
import { ServiceOutput } from "../stack";
import { AccessRecord } from "./accessLog";

/**
 * Usage per service ID and per key. Exact: requests and errors (status ≥ 400) as the
 * gateway logged them, within what the pods' logs still hold. Exact per service but
 * cumulative since each vLLM pod started (not windowed by --since): prompt and generation
 * tokens from vLLM's counters. Estimated: tokens per key — the gateway does not see
 * tokens, so each service's tokens are shared among keys by their share of its successful
 * requests.
 */

export interface TokenCounts {
    prompt: number;
    generation: number;
}

export interface ServiceUsage {
    service: string;
    serviceId: string;
    accessName: string;
    requests: number;
    errors: number;
    tokens?: TokenCounts;
}

export interface KeyUsage {
    key: string;
    requests: number;
    errors: number;
    estimatedTokens?: TokenCounts;
}

export interface UsageReport {
    services: ServiceUsage[];
    keys: KeyUsage[];
    /** Requests that named no deployed service (unknown model, no model, rejected before routing). */
    unrouted: { requests: number; errors: number };
}

/** Sums Prometheus counters `vllm:prompt_tokens_total` / `vllm:generation_tokens_total` per `model_name`. */
export function parseVllmTokens(metricsText: string): Map<string, TokenCounts> {
    const counts = new Map<string, TokenCounts>();
    const re = /^vllm:(prompt|generation)_tokens_total\{([^}]*)\}\s+([0-9.eE+-]+)/;
    for (const line of metricsText.split("\n")) {
        const m = re.exec(line);
        const model = m && /model_name="([^"]*)"/.exec(m[2])?.[1];
        if (!m || !model) continue;
        const c = counts.get(model) ?? { prompt: 0, generation: 0 };
        c[m[1] as "prompt" | "generation"] += Number(m[3]);
        counts.set(model, c);
    }
    return counts;
}

export function usageReport(records: AccessRecord[], services: ServiceOutput[], tokens?: Map<string, TokenCounts>): UsageReport {
    const byAccess = new Map(services.map((s) => [s.accessName, s]));
    const perService = new Map<string, ServiceUsage>(
        services.map((s) => [s.accessName, { service: s.name, serviceId: s.serviceId, accessName: s.accessName, requests: 0, errors: 0, tokens: tokens?.get(s.accessName) }]),
    );
    const perKey = new Map<string, KeyUsage>();
    const okByServiceKey = new Map<string, Map<string, number>>();
    const unrouted = { requests: 0, errors: 0 };
    for (const r of records) {
        const error = r.status >= 400 ? 1 : 0;
        const key = r.keyName ?? "(no valid key)";
        const k = perKey.get(key) ?? { key, requests: 0, errors: 0 };
        k.requests += 1;
        k.errors += error;
        perKey.set(key, k);
        const service = r.model && byAccess.has(r.model) ? perService.get(r.model)! : undefined;
        if (!service) {
            unrouted.requests += 1;
            unrouted.errors += error;
            continue;
        }
        service.requests += 1;
        service.errors += error;
        if (!error && r.keyName) {
            const keys = okByServiceKey.get(service.accessName) ?? new Map<string, number>();
            keys.set(r.keyName, (keys.get(r.keyName) ?? 0) + 1);
            okByServiceKey.set(service.accessName, keys);
        }
    }
    if (tokens) {
        for (const [accessName, keys] of okByServiceKey) {
            const total = [...keys.values()].reduce((a, b) => a + b, 0);
            const t = tokens.get(accessName);
            if (!t || total === 0) continue;
            for (const [key, n] of keys) {
                const k = perKey.get(key)!;
                k.estimatedTokens = k.estimatedTokens ?? { prompt: 0, generation: 0 };
                k.estimatedTokens.prompt += Math.round((t.prompt * n) / total);
                k.estimatedTokens.generation += Math.round((t.generation * n) / total);
            }
        }
    }
    return { services: [...perService.values()], keys: [...perKey.values()].sort((a, b) => a.key.localeCompare(b.key)), unrouted };
}

const n = (t: TokenCounts | undefined, field: keyof TokenCounts) => (t ? String(t[field]) : "n/a");

export function renderUsage(report: UsageReport): string {
    return [
        table(
            ["SERVICE", "SERVICE ID", "REQUESTS", "ERRORS", "PROMPT TOKENS", "GENERATED TOKENS"],
            report.services.map((s) => [s.service, s.serviceId, String(s.requests), String(s.errors), n(s.tokens, "prompt"), n(s.tokens, "generation")]),
        ),
        table(
            ["KEY", "REQUESTS", "ERRORS", "PROMPT TOKENS (EST.)", "GENERATED TOKENS (EST.)"],
            report.keys.map((k) => [k.key, String(k.requests), String(k.errors), n(k.estimatedTokens, "prompt"), n(k.estimatedTokens, "generation")]),
        ),
        `Not routed to a service (unknown or missing model, or rejected first): ${report.unrouted.requests} requests, ${report.unrouted.errors} errors.`,
        "Requests and errors are exact (the gateway's access log, as far back as the pods' logs go). Tokens per service are vLLM's own counters, " +
            "cumulative since each instance started; tokens per key are estimated from each key's share of a service's successful requests.",
    ].join("\n\n");
}
