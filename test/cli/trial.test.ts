import { ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageUrl, streamAnswer, userMessage } from "../../cli/commands/trial";

/**
 * chat and embed against a real OpenAI-compatible server on CPU: llama-cpp-python's server
 * (pinned in requirements-dev.txt, installed by scripts/lib.sh ensure_python_client) with a
 * tiny random-weight Llama model that test/llm/tiny_gguf.py writes with the `gguf` package.
 * The answers are nonsense words; the tokenizer, the sampler, the SSE stream and the key
 * check are llama.cpp's and the server's own.
 */

const run = promisify(execFile);
const root = path.resolve(__dirname, "..", "..");
const python = process.env.MODEL_SERVICES_PYTHON;
const apiKey = "sk-test-trial-0000";
let dir: string;
let server: ChildProcess;
let endpoint: string;

function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const s = createServer().listen(0, "127.0.0.1", () => {
            const port = (s.address() as { port: number }).port;
            s.close(() => resolve(port));
        });
    });
}

async function waitForServer(timeoutMs: number): Promise<void> {
    const start = Date.now();
    for (;;) {
        try {
            const res = await fetch(`${endpoint}/models`, { headers: { authorization: `Bearer ${apiKey}` } });
            if (res.ok) return;
        } catch {
            // not listening yet
        }
        if (server.exitCode !== null) throw new Error(`llama_cpp.server exited with ${server.exitCode}`);
        if (Date.now() - start > timeoutMs) throw new Error("llama_cpp.server did not answer in time");
        await new Promise((r) => setTimeout(r, 250));
    }
}

/** The CLI as a user runs it, pointed at the server with --endpoint. */
function cli(args: string[], key = apiKey) {
    return run("node", [path.join(root, "cli", "model-services.cjs"), ...args, "--endpoint", endpoint], { cwd: root, env: { ...process.env, MODEL_SERVICES_API_KEY: key } });
}

beforeAll(async () => {
    if (!python) throw new Error("MODEL_SERVICES_PYTHON is not set: run through scripts/test.sh (it installs requirements-dev.txt and sets it)");
    dir = mkdtempSync(path.join(tmpdir(), "model-services-trial-"));
    const model = path.join(dir, "tiny.gguf");
    execFileSync(python, [path.join(root, "test", "llm", "tiny_gguf.py"), model]);
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}/v1`;
    const config = {
        host: "127.0.0.1",
        port,
        api_key: apiKey,
        models: [
            { model, model_alias: "u-1/chat", chat_format: "chatml", n_ctx: 512, n_threads: 1, verbose: false },
            { model, model_alias: "u-1/embed", embedding: true, n_ctx: 512, n_threads: 1, verbose: false },
        ],
    };
    writeFileSync(path.join(dir, "server.json"), JSON.stringify(config));
    server = spawn(python, ["-m", "llama_cpp.server", "--config_file", path.join(dir, "server.json")], { stdio: "ignore" });
    await waitForServer(60_000);
}, 120_000);

afterAll(() => {
    server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("chat and embed through the OpenAI Node SDK, against llama-cpp-python's server", () => {
    it("streams the answer token by token: one write per streamed delta, as they arrive", async () => {
        const writes: string[] = [];
        const out = new Writable({
            write(chunk, _enc, done) {
                writes.push(chunk.toString());
                done();
            },
        });
        const conn = { client: new OpenAI({ baseURL: endpoint, apiKey }), model: "u-1/chat", close: () => undefined };
        const text = await streamAnswer(conn, [userMessage("Say hello")], out, 12);
        // 12 tokens, each its own SSE chunk and its own write, then the closing newline.
        expect(writes).toHaveLength(13);
        expect(writes.slice(0, -1).join("")).toBe(text);
        expect(text.trim().length).toBeGreaterThan(0);
    });

    it("`chat <service> prompt` prints the streamed answer; a wrong key is the server's 401, not a crash", async () => {
        const { stdout } = await cli(["chat", "u-1/chat", "Say", "hello", "--max-tokens", "8"]);
        expect(stdout.trim().length).toBeGreaterThan(0);
        const denied = await cli(["chat", "u-1/chat", "hello"], "sk-wrong").catch((e) => e);
        expect(denied.code).toBe(1);
        expect(denied.stderr).toMatch(/^model-services: 401 /);
        expect(denied.stderr).not.toContain(apiKey);
    });

    it("`embed <service> TEXT…` returns one vector per text, of the model's width", async () => {
        const { stdout } = await cli(["embed", "u-1/embed", "hello world", "a second text", "--json"]);
        const vectors = JSON.parse(stdout) as number[][];
        expect(vectors.map((v) => v.length)).toEqual([64, 64]);
        expect(vectors[0]).not.toEqual(vectors[1]);
    });
});

describe("--image", () => {
    it("sends a file as a data URL and a URL as it is", () => {
        expect(imageUrl("cat.png", () => Buffer.from("PNG"))).toBe("data:image/png;base64,UE5H");
        expect(imageUrl("https://example.com/cat.jpg")).toBe("https://example.com/cat.jpg");
        expect(() => imageUrl("notes.txt")).toThrow("--image notes.txt: expected a .png, .jpg, .gif or .webp file, or an http(s) URL");
        expect(userMessage("What is this?", "data:image/png;base64,UE5H")).toEqual({
            role: "user",
            content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,UE5H" } }],
        });
    });
});
