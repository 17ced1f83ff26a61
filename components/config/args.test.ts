import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { rejectionOf } from "../../test/helpers/rejection";

/**
 * A component's args checked with the config's leaves (args.ts). `accessNameLeaf` is a module
 * constant, so each test imports the module afresh (docs/mutation.md, "module constants"); a
 * fresh import has its own classes, so errors are checked by their shape.
 */
let args: typeof import("./args");
let envLeaf: typeof import("./schema").serviceSchema.shape.env;
let tlsLeaf: typeof import("./schema").gatewaySchema.shape.tls;

beforeEach(async () => {
    vi.resetModules();
    args = await import("./args");
    const schema = await import("./schema");
    envLeaf = schema.serviceSchema.shape.env;
    tlsLeaf = schema.gatewaySchema.shape.tls;
});

/** The messages `value` draws as the plain arg `arg`. */
function plainMessages(arg: string, leaf: Parameters<InstanceType<typeof args.ArgsCheck>["plain"]>[1], value: unknown): string[] {
    const check = new args.ArgsCheck('ModelService "chat" args');
    check.plain(arg, leaf, value);
    return check.issues.issues.map((i) => i.message);
}

const accessNameFix = "Use <owner>/<service name>, without spaces or '%'.";

describe("args: an access name", () => {
    it("is accepted as <owner>/<service name>", () => {
        expect(plainMessages("accessName", args.accessNameLeaf, "u-8105f7322477/llama-8b")).toEqual([]);
    });

    it("is refused with a space or '%', saying what to write", () => {
        expect(plainMessages("accessName", args.accessNameLeaf, "acme/my chat")).toEqual([
            `args.accessName: expected an access name such as u-8105f7322477/llama-8b, got "acme/my chat". ${accessNameFix}`,
        ]);
        expect(plainMessages("accessName", args.accessNameLeaf, "acme/50%")).toEqual([
            `args.accessName: expected an access name such as u-8105f7322477/llama-8b, got "acme/50%". ${accessNameFix}`,
        ]);
    });

    it("is refused when it is no string, with the same message", () => {
        expect(plainMessages("accessName", args.accessNameLeaf, 5)).toEqual([`args.accessName: expected an access name such as u-8105f7322477/llama-8b, got 5. ${accessNameFix}`]);
    });
});

describe("args: a value holding an Output is checked when it resolves", () => {
    it("a mapping with one Output among plain values is not checked now", () => {
        const check = new args.ArgsCheck('ModelService "chat" args');
        check.input("env", envLeaf, { A: "a", B: pulumi.output("b") });
        expect(check.issues.issues).toEqual([]);
    });

    it("a mapping whose Output resolves to a bad value rejects with the config's message", async () => {
        const check = new args.ArgsCheck('ModelService "chat" args');
        const env = check.input("env", envLeaf, { A: "a", B: pulumi.output(5) });
        expect(check.issues.issues).toEqual([]);
        expect((await rejectionOf(env))?.message).toBe(
            'Invalid ModelService "chat" args (1 problem); nothing was changed:\n  - args.env.B: expected a string value, got 5. Quote the value in YAML.',
        );
    });

    it("a mapping of plain values is checked now", () => {
        const check = new args.ArgsCheck('ModelService "chat" args');
        check.input("env", envLeaf, { A: "a", B: 5 });
        expect(check.issues.issues.map((i) => i.message)).toEqual(["args.env.B: expected a string value, got 5. Quote the value in YAML."]);
    });
});

describe("args: a mapping arg", () => {
    it("with an unknown key names the keys it allows", () => {
        expect(plainMessages("tls", tlsLeaf, { secretName: "s", extra: 1 })).toEqual(["args.tls.extra: is not a known key. Known keys here: secretName."]);
        expect(plainMessages("tls", tlsLeaf, { secretNme: "s" })).toEqual([
            "args.tls.secretName: is missing; expected the name of a kubernetes.io/tls Secret. Create the Secret in the namespace and name it here.",
            'args.tls.secretNme: is not a known key. Did you mean "secretName"?',
        ]);
    });
});
