import { expect } from "vitest";
import { ConfigError } from "../../components/config/issues";
import { loadPlatform } from "../../components/plan/platformPlan";
import type { PlatformPlan } from "../../components/plan/types";

/** One GPU node group named "gpu" and the services placed on it (instances 1 unless stated): each case adds what it needs. */
export function config(group: Record<string, unknown>, services: Record<string, unknown>[], cluster: Record<string, unknown> = { kind: "kubeconfig" }): Record<string, unknown> {
    return {
        owner: "u-test",
        cluster,
        nodeGroups: [{ name: "gpu", minSize: 0, maxSize: 4, ...group }],
        services: services.map((s, i) => ({ name: `svc-${i}`, instances: 1, ...s })),
    };
}

/** The plan of a config that must be accepted. */
export function plan(raw: Record<string, unknown>): PlatformPlan {
    return loadPlatform(raw, { stack: "test" });
}

/** The messages of a config that must be rejected with a ConfigError by `load` (parsing, or parsing and planning). */
export function configProblems(load: () => unknown): string[] {
    try {
        load();
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues.map((i) => i.message);
    }
    throw new Error("expected the config to be rejected");
}

/** The messages of a config `loadPlatform` must reject. */
export function problems(raw: Record<string, unknown>): string[] {
    return configProblems(() => loadPlatform(raw, { stack: "test" }));
}
