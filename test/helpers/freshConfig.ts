import { expect, vi } from "vitest";

type ParseConfig = typeof import("../../components/config/parse").parseConfig;

/**
 * `parseConfig` from a fresh import of the config layer, for a test's `beforeEach`: the schema
 * and the rules are module constants, so a test that imports them afresh evaluates them
 * itself, and a changed rule shows in the test that checks it, also to mutation testing
 * (docs/mutation.md, "module constants").
 */
export async function freshParseConfig(): Promise<ParseConfig> {
    vi.resetModules();
    return (await import("../../components/config/parse")).parseConfig;
}

/** The messages a config draws from `parse` ([] when it is accepted). */
export function messagesOf(parse: ParseConfig, raw: Record<string, unknown>): string[] {
    try {
        parse(raw, { stack: "test" });
        return [];
    } catch (e) {
        // A fresh import has its own ConfigError class, so the shape is checked, not the class.
        const issues = (e as { issues?: { message: string }[] }).issues;
        if (!issues) {
            throw e;
        }
        return issues.map((i) => i.message);
    }
}

/** `config` with the value at `path` (`services[0].rank`, `cluster.name`) set, or deleted when undefined. */
export function withValue(config: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
    const segments = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== "");
    let at = config as Record<string, unknown>;
    segments.forEach((segment, i) => {
        if (i === segments.length - 1) {
            if (value === undefined) {
                delete at[segment];
            } else {
                at[segment] = value;
            }
        } else {
            at[segment] ??= /^\d+$/.test(segments[i + 1]) ? [] : {};
            at = at[segment] as Record<string, unknown>;
        }
    });
    return config;
}

/** A valid kubeconfig stack with one GPU group, one service and one key; each case changes one value. */
export function kubeconfigStack(): Record<string, unknown> {
    return {
        owner: "u-1",
        cluster: { kind: "kubeconfig", kubeconfig: "k" },
        nodeGroups: [{ name: "gpu", instanceType: "g6.xlarge", minSize: 0, maxSize: 2 }],
        services: [{ name: "chat", model: "Qwen/Qwen3-8B", instances: 1 }],
        apiKeys: [{ name: "app", services: ["*"] }],
    };
}

/** The same on an EKS cluster. */
export function eksStack(): Record<string, unknown> {
    return { ...kubeconfigStack(), cluster: { kind: "eks", name: "ms" } };
}

/** A value at a config path and every message it must draw, in order. */
export type Refusal = [path: string, value: unknown, message: string | string[]];
/** A value at a config path that must draw no message. */
export type Accepted = [path: string, value: unknown];

/** Each value set alone on `stack()` draws exactly its messages. */
export function expectRefusals(parse: ParseConfig, stack: () => Record<string, unknown>, refusals: Refusal[]): void {
    const got = refusals.map(([path, value]) => [path, value, messagesOf(parse, withValue(stack(), path, value))]);
    expect(got).toEqual(refusals.map(([path, value, message]) => [path, value, typeof message === "string" ? [message] : message]));
}

/** Each value set alone on `stack()` is accepted. */
export function expectAccepted(parse: ParseConfig, stack: () => Record<string, unknown>, accepted: Accepted[]): void {
    const got = accepted.map(([path, value]) => [path, value, messagesOf(parse, withValue(stack(), path, value))]);
    expect(got).toEqual(accepted.map(([path, value]) => [path, value, []]));
}
