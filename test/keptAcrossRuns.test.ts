import { describe, expect, it } from "vitest";
import { newAwsAccount } from "./helpers/awsModel";
import { ProviderState, RegisteredResource } from "./helpers/mocks";
import { PlatformRun, runStack, stackConfig } from "./helpers/platform";

/**
 * Service IDs and API keys across successive `pulumi up`s of one stack. The mocks keep
 * the random provider's generated values in the stack's state and regenerate them only
 * when the real provider would (any input changed, `keepers` included), so a component
 * whose random inputs change across a scale or stop loses its IDs here as it would in AWS.
 */

const randomTypes = ["random:index/randomId:RandomId", "random:index/randomPassword:RandomPassword"];

function randoms(run: PlatformRun): Map<string, RegisteredResource> {
    return new Map(run.registered.filter((r) => randomTypes.includes(r.type)).map((r) => [`${r.type}::${r.name}`, r]));
}

/** Successive runs of the dev stack: one state, one account. */
function devStack() {
    const opts = { stack: "dev", state: new ProviderState(), aws: newAwsAccount() };
    return (raw: Record<string, any>) => runStack(structuredClone(raw), opts);
}

// Up to five runs of the whole stack program each: minutes on a loaded machine.
describe("IDs and keys across scale, stop and start (dev stack)", { timeout: 300_000 }, () => {
    it("keeps every random resource — same inputs, same generated value, never replaced", async () => {
        const up = devStack();
        const raw = stackConfig("dev");
        const first = await up(raw);
        const edits: Array<[string, (c: any) => void]> = [
            ["scale test 1 → 3", (c) => (c.services[0].instances = 3)],
            ["stop test", (c) => (c.services[0].instances = 0)],
            ["stop vision too", (c) => (c.services[1].instances = 0)],
            ["start both", (c) => ((c.services[0].instances = 1), (c.services[1].instances = 1))],
        ];
        const baseline = randoms(first);
        expect([...baseline.keys()].filter((k) => k.includes("randomId"))).toHaveLength(3);
        expect([...baseline.keys()].filter((k) => k.includes("randomPassword"))).toHaveLength(2);
        for (const [what, edit] of edits) {
            edit(raw);
            const run = await up(raw);
            const now = randoms(run);
            expect([...now.keys()], what).toEqual([...baseline.keys()]);
            for (const [key, before] of baseline) {
                const after = now.get(key)!;
                expect({ what, key, op: after.op, inputs: after.inputs, outputs: after.outputs }).toEqual({ what, key, op: "same", inputs: before.inputs, outputs: before.outputs });
            }
            expect(run.outputs.services.map((s) => s.serviceId), what).toEqual(first.outputs.services.map((s) => s.serviceId));
            expect(run.outputs.apiKeys, what).toEqual(first.outputs.apiKeys);
        }
    });

    it("rotating one key gives it a new value in its other slot, keeps the value before it (grace period), and touches no other key", async () => {
        const up = devStack();
        const raw = stackConfig("dev");
        const first = await up(raw);
        raw.apiKeys[1].rotation = 1;
        const rotated = await up(raw);
        const ops = Object.fromEntries([...randoms(rotated).values()].map((r) => [r.name, r.op]));
        expect(ops).toEqual({
            "model-services-test-id": "same",
            "model-services-vision-id": "same",
            "model-services-qwen-32b-id": "same",
            "model-services-keys-app-prod": "same",
            "model-services-keys-research": "same",
            "model-services-keys-research-odd": "create",
        });
        expect(rotated.outputs.apiKeys["app-prod"]).toBe(first.outputs.apiKeys["app-prod"]);
        expect(rotated.outputs.apiKeys.research).not.toBe(first.outputs.apiKeys.research);
        expect(rotated.outputs.apiKeys.research).toMatch(/^sk-[A-Za-z0-9]{48}$/);
        // The next rotation replaces the even slot: the odd one (the value before it) stays.
        raw.apiKeys[1].rotation = 2;
        const again = await up(raw);
        const ops2 = Object.fromEntries([...randoms(again).values()].map((r) => [r.name, r.op]));
        expect(ops2["model-services-keys-research"]).toBe("replace");
        expect(ops2["model-services-keys-research-odd"]).toBe("same");
        expect(again.outputs.apiKeys.research).not.toBe(rotated.outputs.apiKeys.research);
        expect(again.outputs.apiKeys.research).not.toBe(first.outputs.apiKeys.research);
    }, 300_000);

    it("a service removed and added back is a new service: a new ID", async () => {
        const up = devStack();
        const raw = stackConfig("dev");
        const first = await up(raw);
        const without = structuredClone(raw);
        without.services = raw.services.filter((s: any) => s.name !== "vision");
        without.apiKeys[0].services = ["test"];
        await up(without);
        const back = await up(raw);
        const idOf = (run: PlatformRun, name: string) => run.outputs.services.find((s) => s.name === name).serviceId;
        expect(idOf(back, "vision")).not.toBe(idOf(first, "vision"));
        expect(idOf(back, "test")).toBe(idOf(first, "test"));
    });

    it("two stacks of the same config get different IDs and keys (generated, not derived from names)", async () => {
        const a = await devStack()(stackConfig("dev"));
        const b = await devStack()(stackConfig("dev"));
        for (let i = 0; i < a.outputs.services.length; i++) {
            expect(a.outputs.services[i].serviceId).toMatch(/^ms-[0-9a-f]{12}$/);
            expect(a.outputs.services[i].serviceId).not.toBe(b.outputs.services[i].serviceId);
        }
        expect(a.outputs.apiKeys.research).not.toBe(b.outputs.apiKeys.research);
    });
});
