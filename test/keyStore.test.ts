import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, isSecretOutput, ofType, RegisteredResource, settle, valueOf } from "./helpers/mocks";

let registered: RegisteredResource[];
let store: import("../components").KeyStore;
let eksStore: import("../components").KeyStore;
let rotating: import("../components").KeyStore;

beforeAll(async () => {
    registered = await installMocks();
    const { KeyStore } = await import("../components");
    store = new KeyStore("keys", {
        namespace: "model-services",
        apiKeys: [
            { name: "app-prod", rotation: 0 },
            { name: "research", rotation: 3 },
        ],
    });
    rotating = new KeyStore("rot", {
        namespace: "model-services",
        apiKeys: [
            { name: "grace", rotation: 1, keepPrevious: true },
            { name: "done", rotation: 2, keepPrevious: false },
        ],
    });
    eksStore = new KeyStore("eks-keys", { namespace: "model-services", apiKeys: [{ name: "ci" }], awsSecretsManager: true });
    await settle();
});

describe("KeyStore", () => {
    it("generates one key per entry with at least 256 bits of randomness", () => {
        const passwords = ofType(registered, "random:index/randomPassword:RandomPassword").filter((r) => r.name.startsWith("keys-"));
        expect(passwords.map((p) => p.name)).toEqual(["keys-app-prod", "keys-research", "keys-research-odd"]);
        for (const p of passwords) {
            expect(p.inputs.special).toBe(false);
            // 62 symbols ([A-Za-z0-9]): log2(62) bits each.
            expect(p.inputs.length * Math.log2(62)).toBeGreaterThanOrEqual(256);
        }
    });

    it("ties each key to its rotation, so bumping it issues a new value and nothing else does", () => {
        const passwords = ofType(registered, "random:index/randomPassword:RandomPassword").filter((r) => r.name.startsWith("keys-"));
        // A key never rotated keeps its one value (keepers as before); a rotated one has an even and an odd slot.
        expect(passwords.map((p) => p.inputs.keepers)).toEqual([{ rotation: "0" }, { rotation: "2" }, { rotation: "3" }]);
    });

    it("keeps the value before a rotation in the other slot, and offers it only during the grace period", async () => {
        const passwords = ofType(registered, "random:index/randomPassword:RandomPassword").filter((r) => r.name.startsWith("rot-"));
        expect(passwords.map((p) => [p.name, p.inputs.keepers.rotation])).toEqual([
            ["rot-grace", "0"],
            ["rot-grace-odd", "1"],
            ["rot-done", "2"],
            ["rot-done-odd", "1"],
        ]);
        const current = await valueOf(rotating.keys);
        const previous = await valueOf(rotating.previousKeys);
        expect(Object.keys(previous)).toEqual(["grace"]);
        expect(previous.grace).toMatch(/^sk-/);
        expect(previous.grace).not.toBe(current.grace);
        expect(await isSecretOutput(rotating.previousKeys)).toBe(true);
        // Clients read the Secret: it holds only the current values.
        const secret = ofType(registered, "kubernetes:core/v1:Secret").find((r) => r.name === "rot-secret")!;
        expect(secret.inputs.stringData).toEqual(current);
    });

    it("exposes the keys only as a Pulumi secret, each with the sk- prefix", async () => {
        expect(await isSecretOutput(store.keys)).toBe(true);
        const keys = await valueOf(store.keys);
        expect(Object.keys(keys)).toEqual(["app-prod", "research"]);
        for (const key of Object.values(keys)) {
            expect(key).toMatch(/^sk-/);
        }
    });

    it("stores the keys in a Kubernetes Secret named for the platform", async () => {
        const secret = ofType(registered, "kubernetes:core/v1:Secret").find((r) => r.name === "keys-secret")!;
        expect(secret.inputs.metadata.name).toBe("model-services-api-keys");
        expect(secret.inputs.type).toBe("Opaque");
        expect(Object.keys(secret.inputs.stringData)).toEqual(["app-prod", "research"]);
        expect(secret.secretPaths).toEqual(["stringData"]);
        expect(await valueOf(store.secretName)).toBe("model-services-api-keys");
    });

    it("keeps a copy in AWS Secrets Manager only when asked", () => {
        expect(ofType(registered, "aws:secretsmanager/secret:Secret").map((r) => r.name)).toEqual(["eks-keys-aws"]);
        const version = ofType(registered, "aws:secretsmanager/secretVersion:SecretVersion")[0];
        expect(JSON.parse(version.inputs.secretString)).toHaveProperty("ci");
        expect(eksStore).toBeDefined();
    });
});
