import { readdirSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { compliantStack } from "./lib/fixtures";
import { packViolations } from "./lib/testing";

const pack = vi.hoisted(() => ({ name: "", args: undefined as any }));

// The real PolicyPack starts the analyzer's gRPC server; capture what index.ts hands it instead.
vi.mock("@pulumi/policy", async (importOriginal) => ({
    ...(await importOriginal<typeof import("@pulumi/policy")>()),
    PolicyPack: class {
        constructor(name: string, args: unknown) {
            pack.name = name;
            pack.args = args;
        }
    },
}));

describe("the model-services policy pack", async () => {
    const { policies } = await import("./index");

    it("is named model-services and lists exactly the policies it exports", () => {
        expect(pack.name).toBe("model-services");
        expect(pack.args.policies).toBe(policies);
    });

    it("lists one policy per file, named after it, each with an explicit enforcement level", () => {
        const files = readdirSync(__dirname)
            .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "index.ts")
            .map((f) => f.replace(/\.ts$/, ""))
            .sort();
        expect(policies.map((p) => p.name).sort()).toEqual(files);
        for (const p of policies) {
            expect(p.name).toMatch(/^(k8s|aws|stack)-[a-z0-9]+(-[a-z0-9]+)+$/);
            expect(["mandatory", "advisory"], p.name).toContain(p.enforcementLevel);
            expect(p.description.length, p.name).toBeGreaterThan(20);
        }
    });

    it("declares defaults for every configurable policy, and no enforcementLevel property (the engine reserves it)", () => {
        for (const p of policies.filter((p) => p.configSchema)) {
            expect(Object.keys(p.configSchema!.properties), p.name).not.toContain("enforcementLevel");
        }
    });

    it("finds nothing in a compliant stack", async () => {
        expect(await packViolations(policies, compliantStack())).toEqual([]);
    });

    it("skips a policy disabled in the pack config", async () => {
        const stack = compliantStack();
        const image = stack[0].props.spec.template.spec.containers[0];
        image.image = "vllm/vllm-openai:latest";
        expect((await packViolations(policies, stack)).map((v) => v.policy)).toEqual(["k8s-image-pinned"]);
        expect(await packViolations(policies, stack, { "k8s-image-pinned": "disabled" })).toEqual([]);
        expect(await packViolations(policies, stack, { "k8s-image-pinned": { enforcementLevel: "disabled" } })).toEqual([]);
    });
});
