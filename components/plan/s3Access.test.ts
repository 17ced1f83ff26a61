import { describe, expect, it } from "vitest";
import { s3ReadPolicy } from "./s3Access";

describe("s3ReadPolicy", () => {
    const a = { bucket: "acme-adapters", prefix: "sql-v3" };
    const b = { bucket: "acme-models", prefix: "llama" };
    const c = { bucket: "acme-models", prefix: "qwen3-8b" };
    const objects = (prefixes: { bucket: string; prefix: string }[]) => (s3ReadPolicy(prefixes).Statement as any[])[0].Resource;

    it("lists the object ARNs sorted by bucket/prefix, whatever order the prefixes come in, each once", () => {
        const sorted = ["arn:aws:s3:::acme-adapters/sql-v3/*", "arn:aws:s3:::acme-models/llama/*", "arn:aws:s3:::acme-models/qwen3-8b/*"];
        for (const order of [[a, b, c], [c, b, a], [b, a, c], [b, c, a], [a, c, b], [c, a, b]]) {
            expect(objects(order)).toEqual(sorted);
        }
        expect(objects([c, a, c, b, a])).toEqual(sorted);
    });

    it("lets each bucket be listed under its prefixes only, buckets and prefixes in sorted order", () => {
        expect((s3ReadPolicy([c, a, b]).Statement as any[]).slice(1)).toEqual([
            { Sid: "ListModelPrefixes0", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::acme-adapters", Condition: { StringLike: { "s3:prefix": ["sql-v3", "sql-v3/*"] } } },
            { Sid: "ListModelPrefixes1", Effect: "Allow", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::acme-models", Condition: { StringLike: { "s3:prefix": ["llama", "llama/*", "qwen3-8b", "qwen3-8b/*"] } } },
        ]);
    });
});
