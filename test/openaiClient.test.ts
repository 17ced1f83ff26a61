import { execFile } from "node:child_process";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorBodies, modelsList, stoppedBody } from "../components";

/**
 * No Envoy runs here, so a loopback server answers with exactly the bodies the generated
 * config makes Envoy send (its %…% substitutions filled in as Envoy would), and the official
 * OpenAI Node and Python clients must turn each into the error class an application catches.
 * The Python client comes from requirements-dev.txt (scripts/test.sh installs it and sets
 * MODEL_SERVICES_PYTHON).
 */

const bodies = errorBodies(32);
const substitutions: Record<string, string> = {
    "%DYNAMIC_METADATA(model-services:model):200%": "u-1/test",
    "%REQ(:METHOD)%": "POST",
    "%REQ(:PATH):200%": "/v1/nope",
    "%DYNAMIC_METADATA(model-services:key_name)%": "app-prod",
};
const render = (body: unknown) => Object.entries(substitutions).reduce((text, [from, to]) => text.split(from).join(to), JSON.stringify(body));

/** Which generated body (and status) the server answers for a request's bearer key. */
const byKey: Record<string, [number, string]> = {
    "k-401": [401, render(bodies["401"])],
    "k-403": [403, render(bodies["403"])],
    "k-404": [404, render(bodies["404-model"])],
    "k-413": [413, render(bodies["413"])],
    "k-429": [429, render(bodies["429"])],
    "k-503": [503, render(bodies["503-unavailable"])],
    "k-stopped": [503, render(stoppedBody("u-1/test"))],
};

let server: Server;
let baseURL: string;

beforeAll(async () => {
    server = createServer((req, res) => {
        const key = (req.headers.authorization ?? "").replace(/^Bearer /, "");
        if (req.method === "GET" && req.url === "/v1/models") {
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify(modelsList([{ name: "test", accessName: "u-1/test", task: "chat", backendHost: "h", backendPort: 8000, instances: 1 }])));
            return;
        }
        const [status, body] = byKey[key] ?? [500, "{}"];
        res.writeHead(status, { "content-type": "application/json", ...(status === 429 ? { "retry-after": "1" } : {}) });
        res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function client(apiKey: string) {
    return new OpenAI({ baseURL, apiKey, maxRetries: 0 });
}

async function errorOf(apiKey: string): Promise<any> {
    return client(apiKey)
        .chat.completions.create({ model: "u-1/test", messages: [{ role: "user", content: "hi" }] })
        .then(() => {
            throw new Error("expected an error");
        })
        .catch((e) => e);
}

describe("the gateway's error bodies in the official OpenAI Node client", () => {
    it.each([
        ["k-401", OpenAI.AuthenticationError, 401, "invalid_api_key", "Incorrect or missing API key"],
        ["k-403", OpenAI.PermissionDeniedError, 403, "model_not_allowed", "not allowed to use the model 'u-1/test'"],
        ["k-404", OpenAI.NotFoundError, 404, "model_not_found", "The model 'u-1/test' does not exist"],
        ["k-413", OpenAI.APIError, 413, "request_too_large", "larger than the gateway's limit of 32 MiB"],
        ["k-429", OpenAI.RateLimitError, 429, "rate_limit_exceeded", "Rate limit reached for the API key 'app-prod'"],
        ["k-503", OpenAI.InternalServerError, 503, "model_unavailable", "has no instance ready"],
        ["k-stopped", OpenAI.InternalServerError, 503, "model_stopped", "is stopped (0 instances)"],
    ])("%s becomes %o with its status, code and message", async (key, errorClass, status, code, message) => {
        const error = await errorOf(key);
        expect(error).toBeInstanceOf(errorClass);
        expect(error.status).toBe(status);
        expect(error.code).toBe(code);
        expect(error.message).toContain(message);
    });

    it("lists the services as models", async () => {
        const models = [];
        for await (const model of client("k-any").models.list()) {
            models.push(model.id);
        }
        expect(models).toEqual(["u-1/test"]);
    });
});

/** Calls the server with the official Python client; prints `<class> <status> <code> <message>` per key. */
const pythonProbe = `
import sys, openai
client = lambda key: openai.OpenAI(base_url=sys.argv[1], api_key=key, max_retries=0)
for key in sys.argv[2:]:
    try:
        client(key).chat.completions.create(model="u-1/test", messages=[{"role": "user", "content": "hi"}])
        print(key, "no-error")
    except openai.APIStatusError as e:
        print(key, type(e).__name__, e.status_code, e.code, e.message.replace("\\n", " "))
print("models", ",".join(m.id for m in client("k-any").models.list()))
`;

describe("the gateway's error bodies in the official OpenAI Python client", () => {
    it("raises the matching error classes with status, code and message, and lists the models", async () => {
        // Not a skip: a missing Python would otherwise pass this command's check unnoticed.
        const python = process.env.MODEL_SERVICES_PYTHON;
        if (!python) {
            throw new Error(
                "MODEL_SERVICES_PYTHON is not set, so the OpenAI Python client cannot be checked: run ./scripts/test.sh (it installs the client and sets it), or set MODEL_SERVICES_PYTHON to a python with requirements-dev.txt installed",
            );
        }
        const out = await new Promise<string>((resolve, reject) =>
            execFile(python, ["-c", pythonProbe, baseURL, ...Object.keys(byKey)], (error, stdout, stderr) => (error ? reject(new Error(stderr || String(error))) : resolve(stdout))),
        );
        const lines = Object.fromEntries(out.trim().split("\n").map((line) => [line.split(" ")[0], line]));
        expect(lines["k-401"]).toMatch(/^k-401 AuthenticationError 401 invalid_api_key .*Incorrect or missing API key/);
        expect(lines["k-403"]).toMatch(/^k-403 PermissionDeniedError 403 model_not_allowed .*u-1\/test/);
        expect(lines["k-404"]).toMatch(/^k-404 NotFoundError 404 model_not_found /);
        expect(lines["k-413"]).toMatch(/^k-413 APIStatusError 413 request_too_large /);
        expect(lines["k-429"]).toMatch(/^k-429 RateLimitError 429 rate_limit_exceeded .*app-prod/);
        expect(lines["k-503"]).toMatch(/^k-503 InternalServerError 503 model_unavailable /);
        expect(lines["k-stopped"]).toMatch(/^k-stopped InternalServerError 503 model_stopped /);
        expect(lines.models).toBe("models u-1/test");
    });
});
